import type { EvalQuery } from './kb-eval-set';

/** One query's ranking: document ids best first, and the best score (for negatives). */
export interface Ranking {
  query: EvalQuery;
  ids: string[];
  topScore: number;
}

export interface Metrics {
  queries: number;
  recallAt5: number;
  recallAt10: number;
  mrr: number;
}

/** Recall@k and MRR over the queries that have an answer (paraphrase and keyword). */
export function retrievalMetrics(rankings: readonly Ranking[]): Metrics {
  const answered = rankings.filter((r) => r.query.doc);
  const rankOf = (r: Ranking) => r.ids.indexOf(r.query.doc!) + 1;
  const at = (k: number) => answered.filter((r) => rankOf(r) > 0 && rankOf(r) <= k).length / Math.max(1, answered.length);
  const mrr = answered.reduce((s, r) => s + (rankOf(r) > 0 ? 1 / rankOf(r) : 0), 0) / Math.max(1, answered.length);
  return { queries: answered.length, recallAt5: round(at(5)), recallAt10: round(at(10)), mrr: round(mrr) };
}

/** Metrics per query kind, and all answered kinds together. */
export function metricsByKind(rankings: readonly Ranking[]): Record<'all' | 'paraphrase' | 'keyword', Metrics> {
  return {
    all: retrievalMetrics(rankings),
    paraphrase: retrievalMetrics(rankings.filter((r) => r.query.kind === 'paraphrase')),
    keyword: retrievalMetrics(rankings.filter((r) => r.query.kind === 'keyword')),
  };
}

/** The top scores of negative queries against the lowest top score of answered queries whose answer ranked first. */
export function negativeSeparation(rankings: readonly Ranking[]): { negativeMax: number; negativeMean: number; positiveMedian: number } {
  const neg = rankings.filter((r) => r.query.kind === 'negative').map((r) => r.topScore);
  const pos = rankings.filter((r) => r.query.doc && r.ids[0] === r.query.doc).map((r) => r.topScore).sort((a, b) => a - b);
  return { negativeMax: round(Math.max(0, ...neg)), negativeMean: round(neg.reduce((s, x) => s + x, 0) / Math.max(1, neg.length)), positiveMedian: round(pos[Math.floor(pos.length / 2)] ?? 0) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
