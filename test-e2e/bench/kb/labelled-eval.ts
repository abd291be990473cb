import type { Embedder } from '@cp/memory-plane/embedding';
import { EVAL_DOCS, EVAL_QUERIES, metricsByKind, negativeSeparation, type Ranking } from '@cp/memory-plane/embedding';
import type { KbStore } from '@cp/memory-plane/data-access';
import { searchKb, type RetrievalMode } from '@cp/memory-plane/feature';

/** A negative query's best KB relevance must stay below this (docs/memory.md). */
export const NEGATIVE_THRESHOLD = 0.65;

/** Ingests the labelled documents and ranks every query with each retrieval mode, as the memory plane's KB layer does. */
export async function evaluateLabelledSet(kb: KbStore, embedder: Embedder) {
  const docOf = new Map<string, string>();
  for (const d of EVAL_DOCS) {
    const text = `${d.title}\n\n${d.content}`;
    const [v] = await embedder.embed([text]);
    const { document } = await kb.ingest({ title: d.title, content: d.content, source: `eval/${d.id}`, mimeType: 'text/plain' }, embedder.id, [{ index: 0, heading: null, text, embedding: v }]);
    docOf.set(document.id, d.id);
  }
  // What the memory plane's background refresh does after ingests (keyword ranking reads it).
  await kb.refreshKeywordStats();
  const rows: Record<string, unknown>[] = [];
  const result: Record<string, unknown> = {};
  for (const mode of ['vector', 'keyword', 'hybrid'] as RetrievalMode[]) {
    const rankings: Ranking[] = [];
    for (const query of EVAL_QUERIES) {
      const [qv] = await embedder.embed([query.q]);
      const hits = await searchKb(kb, embedder, query.q, qv, 10, mode);
      const ids = [...new Set(hits.map((h) => docOf.get(h.provenance.documentId ?? '') ?? '?'))];
      rankings.push({ query, ids, topScore: hits[0]?.relevance ?? 0 });
    }
    const m = metricsByKind(rankings);
    // Two halves of the answered queries (alternating in the set's order): a change that only
    // helps the queries it was looked at with shows up as a gap between them.
    const answered = rankings.filter((r) => r.query.doc);
    const halves = [0, 1].map((h) => metricsByKind(answered.filter((_, i) => i % 2 === h)).all);
    const neg = negativeSeparation(rankings);
    const negativesBelow = rankings.filter((r) => r.query.kind === 'negative' && r.topScore < NEGATIVE_THRESHOLD).length;
    const answeredAbove = rankings.filter((r) => r.query.doc && r.ids[0] === r.query.doc && r.topScore >= NEGATIVE_THRESHOLD).length;
    rows.push({ mode, 'recall@5': m.all.recallAt5, 'recall@10': m.all.recallAt10, MRR: m.all.mrr, 'para r@5': m.paraphrase.recallAt5, 'para MRR': m.paraphrase.mrr, 'kw r@5': m.keyword.recallAt5, 'kw MRR': m.keyword.mrr, 'A r@5': halves[0].recallAt5, 'B r@5': halves[1].recallAt5, 'A MRR': halves[0].mrr, 'B MRR': halves[1].mrr, 'neg max': neg.negativeMax, [`neg < ${NEGATIVE_THRESHOLD}`]: `${negativesBelow}/10`, [`top-1 hits >= ${NEGATIVE_THRESHOLD}`]: answeredAbove });
    result[mode] = { ...m, halves, negatives: neg, negativesBelow, answeredAbove };
  }
  console.log(`\nLabelled set: ${EVAL_DOCS.length} documents, ${EVAL_QUERIES.length} queries (${EVAL_QUERIES.filter((q) => q.kind === 'paraphrase').length} paraphrased, ${EVAL_QUERIES.filter((q) => q.kind === 'keyword').length} keyword, ${EVAL_QUERIES.filter((q) => q.kind === 'negative').length} negative); embedder ${embedder.id}`);
  console.table(rows);
  return result;
}
