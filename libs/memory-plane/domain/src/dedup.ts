import type { MemoryResult, Provenance } from './scoring';
import { jaccard, normalizeText, shingles } from './text';

export interface DedupOptions {
  /** Word-shingle Jaccard similarity at or above which two texts are the same item. */
  nearDuplicate: number;
}

export const DEFAULT_DEDUP: DedupOptions = { nearDuplicate: 0.8 };

/**
 * Merges results that are the same item seen twice, across layers or within one: the same source
 * (a document id, a content hash) or near-identical text. The merged result keeps the best-scored
 * text and score and every provenance. Input order does not matter; output is by score.
 */
export function dedupResults(results: readonly MemoryResult[], opts: DedupOptions = DEFAULT_DEDUP): MemoryResult[] {
  const sorted = [...results].sort((a, b) => b.score - a.score);
  const kept: { result: MemoryResult; sources: Set<string>; shingles: Set<string>; normalized: string }[] = [];
  for (const r of sorted) {
    const sources = new Set(r.provenance.map(sourceKey).filter((s): s is string => s !== null));
    const sh = shingles(r.text);
    const normalized = normalizeText(r.text);
    const same = kept.find((k) => sharesSource(k.sources, sources) || k.normalized === normalized || jaccard(k.shingles, sh) >= opts.nearDuplicate);
    if (!same) {
      kept.push({ result: { ...r, provenance: [...r.provenance] }, sources, shingles: sh, normalized });
      continue;
    }
    for (const p of r.provenance) if (!same.result.provenance.some((q) => q.layer === p.layer && q.id === p.id)) same.result.provenance.push(p);
    for (const s of sources) same.sources.add(s);
  }
  return kept.map((k) => k.result);
}

/** A source names one item exactly (the content hash of a chunk or a file), never a whole document: two chunks of one document are two items. */
function sourceKey(p: Provenance): string | null {
  return p.source ? `${p.source}` : null;
}

function sharesSource(a: Set<string>, b: Set<string>): boolean {
  for (const x of b) if (a.has(x)) return true;
  return false;
}
