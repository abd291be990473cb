/** One query word as full-text search sees it: its tsquery (text form) and how many chunks contain it. */
export interface TermStat {
  /** The word's tsquery in Postgres text form (`'cach'`, or `'err' <-> 'cach'` for an identifier). */
  query: string;
  /** Chunks containing it, from the last lexeme statistics (0 when they do not know it: new since, or found nowhere). */
  df: number;
}

export interface WeightedTerm {
  query: string;
  /** BM25's inverse document frequency of the term. */
  idf: number;
}

/**
 * How the keyword half of a KB query runs: which terms fetch candidate chunks from the GIN
 * index (the rarest, within a row budget), and the weight of every term in the score of those
 * candidates.
 */
export interface KeywordPlan {
  /** OR of the candidate terms (tsquery text); empty when the query has no searchable term. */
  candidates: string;
  /** Every term with its weight: a candidate's score is the sum of the weights of the terms it contains. */
  terms: WeightedTerm[];
  /** The sum of all weights: a chunk containing every term scores this much. */
  totalWeight: number;
  /** Chunks the candidate terms are expected to match (the sum of their document frequencies). */
  expectedRows: number;
}

/** Chunks whose rank the keyword half computes at most, by the statistics (see `planKeywordQuery`). */
export const KEYWORD_ROW_BUDGET = 600;

/**
 * BM25's inverse document frequency (Robertson and Sparck Jones): ln(1 + (N - df + 0.5) / (df + 0.5)).
 * A word in every chunk weighs almost nothing, a word in one chunk the most.
 */
export function bm25Idf(df: number, n: number): number {
  const N = Math.max(n, df, 1);
  return Math.log(1 + (N - df + 0.5) / (df + 0.5));
}

/**
 * Plans the keyword half: each term weighs its IDF (BM25 with k1 = 0, the binary independence
 * weight: chunks are short, so how often a word recurs in one says little), and only the rarest
 * terms fetch candidates, taken in order of document frequency while the expected rows stay within
 * `budget` (the rarest always, whatever its frequency). Frequent terms still count in the score of
 * the candidates; a chunk that contains none of the rarer terms cannot outscore one that does
 * unless it holds several frequent ones, which the vector half finds anyway. This bounds the
 * work of a query by the budget instead of by how common its words are (MaxScore-style pruning,
 * without its exactness guarantee).
 */
export function planKeywordQuery(stats: readonly TermStat[], chunks: number, budget = KEYWORD_ROW_BUDGET): KeywordPlan {
  const byQuery = new Map<string, TermStat>();
  for (const s of stats) if (s.query && !byQuery.has(s.query)) byQuery.set(s.query, s);
  const unique = [...byQuery.values()];
  const terms = unique.map((s) => ({ query: s.query, idf: bm25Idf(s.df, chunks) }));
  const rarestFirst = [...unique].sort((a, b) => a.df - b.df || a.query.localeCompare(b.query));
  const chosen: TermStat[] = [];
  let expectedRows = 0;
  for (const s of rarestFirst) {
    if (chosen.length > 0 && expectedRows + s.df > budget) break;
    chosen.push(s);
    expectedRows += s.df;
  }
  return {
    candidates: chosen.map((s) => `(${s.query})`).join(' | '),
    terms,
    totalWeight: terms.reduce((sum, t) => sum + t.idf, 0),
    expectedRows,
  };
}
