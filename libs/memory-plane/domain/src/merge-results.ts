import { applyConflictRules, DEFAULT_CONFLICTS, type ConflictOptions, type ConflictPair } from './conflicts';
import { dedupResults, DEFAULT_DEDUP, type DedupOptions } from './dedup';
import { DEFAULT_SCORING, toResult, type LayerHit, type MemoryResult, type ScoringConfig } from './scoring';

export interface MergeOptions {
  scoring: ScoringConfig;
  dedup: DedupOptions;
  conflicts: ConflictOptions;
  limit: number;
}

export const DEFAULT_MERGE: MergeOptions = { scoring: DEFAULT_SCORING, dedup: DEFAULT_DEDUP, conflicts: DEFAULT_CONFLICTS, limit: 10 };

/**
 * The query's last step, pure: score each layer's hits (weight x relevance x freshness), merge
 * duplicates across layers (best score, every provenance), annotate and penalise contradictions,
 * rank, cut to `limit`. A result is cut only by the limit, never for conflicting.
 */
export function mergeLayerHits(hits: readonly LayerHit[], now: number, opts: MergeOptions = DEFAULT_MERGE): { results: MemoryResult[]; conflicts: ConflictPair[] } {
  const scored = hits.map((h) => toResult(h, now, opts.scoring));
  const merged = dedupResults(scored, opts.dedup);
  const { results, conflicts } = applyConflictRules(merged, opts.conflicts);
  return { results: results.slice(0, opts.limit), conflicts };
}
