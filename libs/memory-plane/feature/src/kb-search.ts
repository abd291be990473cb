import { contentWords, planKeywordQuery, reciprocalRankFusion, type LayerHit } from '@cp/memory-plane/domain';
import type { Embedder } from '@cp/memory-plane/embedding';
import type { ChunkHit, KbStore } from '@cp/memory-plane/data-access';

export type RetrievalMode = 'hybrid' | 'vector' | 'keyword';

/** How much a full keyword match (`ts_rank_cd` normalised to 0..1) adds to a chunk's cosine similarity. */
export const KEYWORD_BOOST = 0.5;

/** The words of a query the full-text search looks for (any of them), at most 32. */
export function keywordTerms(query: string): string[] {
  return [...new Set(contentWords(query))].slice(0, 32);
}

/**
 * Hybrid retrieval over the KB: the nearest chunks by cosine (HNSW) and the best full-text matches,
 * fused by reciprocal rank. A chunk's relevance is its cosine similarity plus a keyword boost,
 * capped so that no result is more relevant than one fusion ranked above it (the layer's order is
 * the fused order). `vector` and `keyword` modes exist to measure each retriever alone.
 */
export interface FusionOptions {
  k: number;
  /** Votes of the vector list and of the keyword list. */
  weights: [number, number];
  candidates: number;
}

/** Chosen on the labelled set (docs/memory.md): a small k and half a vote for keyword ranks, whose OR-of-words matches are noisier than the vectors. */
export const DEFAULT_FUSION: FusionOptions = { k: 10, weights: [1, 0.5], candidates: 40 };

export async function searchKb(kb: KbStore, embedder: Embedder, query: string, queryVector: Float32Array, limit: number, mode: RetrievalMode = 'hybrid', fusion: FusionOptions = DEFAULT_FUSION): Promise<LayerHit[]> {
  const candidates = fusion.candidates;
  const terms = keywordTerms(query);
  const [vector, keyword] = await Promise.all([
    mode === 'keyword' ? Promise.resolve([]) : kb.vectorSearch(embedder.id, queryVector, candidates),
    mode === 'vector' ? Promise.resolve([]) : keywordHalf(kb, terms, embedder.id, queryVector, candidates),
  ]);
  const byId = new Map<string, ChunkHit>();
  for (const h of [...vector, ...keyword]) {
    const seen = byId.get(h.id);
    byId.set(h.id, seen ? { ...seen, keywordRank: Math.max(seen.keywordRank, h.keywordRank), similarity: seen.similarity ?? h.similarity } : h);
  }
  const fused = reciprocalRankFusion([vector.map((h) => h.id), keyword.map((h) => h.id)], fusion.k, fusion.weights);
  let cap = 1;
  return fused.slice(0, limit).map((f) => {
    const h = byId.get(f.id)!;
    const own = Math.min(1, Math.max(0, h.similarity ?? 0) + KEYWORD_BOOST * h.keywordRank);
    cap = Math.min(cap, own);
    return {
      layer: 'kb' as const,
      id: h.id,
      text: h.text,
      relevance: cap,
      provenance: { layer: 'kb' as const, id: h.id, source: `sha256:${h.textHash}`, documentId: h.documentId, title: h.title, ...(h.source ? { origin: h.source } : {}), updatedAt: h.updatedAt },
    };
  });
}

/** The keyword half: the words' statistics, then the GIN candidates of the rarer words ranked by IDF (`planKeywordQuery`). */
async function keywordHalf(kb: KbStore, terms: readonly string[], embedder: string, queryVector: Float32Array, limit: number): Promise<ChunkHit[]> {
  if (terms.length === 0) return [];
  const stats = await kb.termStats(terms);
  return kb.keywordSearch(planKeywordQuery(stats.terms, stats.chunks), embedder, queryVector, limit);
}
