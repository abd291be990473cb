import { fnv1a } from './embedder';

/**
 * A read-only word -> rank table over one blob of UTF-16 code units (word r is
 * `units[offsets[r] .. offsets[r + 1])`), without a JS string per word: an open-addressing table
 * (linear probing, at most half full) of rank + 1 (0 = empty), keyed by the FNV-1a hash of the
 * code units. A lookup hashes and compares the word with `charCodeAt`, so it allocates nothing.
 * 120,000 words take about 3.3 MB (blob 1.8, offsets 0.5, table 1 MB) instead of about 17 MB of strings and
 * a Map. A word listed twice keeps its last rank, as a Map built from the list would.
 */
export class WordTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Distinct words. */
  readonly size: number;

  constructor(
    private readonly units: Uint16Array,
    private readonly offsets: Uint32Array,
  ) {
    this.slots = new Int32Array(tableLength(this.count));
    this.mask = this.slots.length - 1;
    let distinct = 0;
    for (let r = 0; r < this.count; r++) if (this.insert(r)) distinct++;
    this.size = distinct;
  }

  /** Ranks stored, duplicates included (the blob's word count). */
  get count(): number {
    return this.offsets.length - 1;
  }

  /** The word's rank, or undefined when unknown. */
  rank(word: string): number | undefined {
    for (let slot = fnv1a(word) & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot];
      if (entry === 0) return undefined;
      if (this.matches(entry - 1, word)) return entry - 1;
    }
  }

  /** The word of a rank, decoded from the blob (undefined outside 0 .. count - 1). */
  wordAt(rank: number): string | undefined {
    if (!Number.isInteger(rank) || rank < 0 || rank >= this.count) return undefined;
    let word = '';
    // In pieces, so a long word never exceeds the engine's argument limit.
    for (let i = this.offsets[rank]; i < this.offsets[rank + 1]; i += 4096) {
      word += String.fromCharCode(...this.units.subarray(i, Math.min(i + 4096, this.offsets[rank + 1])));
    }
    return word;
  }

  /** Places rank r; true when its word is new, false when it replaced an earlier rank of the same word. */
  private insert(r: number): boolean {
    for (let slot = hashUnits(this.units, this.offsets[r], this.offsets[r + 1]) & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot];
      if (entry === 0 || this.sameWord(entry - 1, r)) {
        this.slots[slot] = r + 1;
        return entry === 0;
      }
    }
  }

  private matches(r: number, word: string): boolean {
    const start = this.offsets[r];
    if (this.offsets[r + 1] - start !== word.length) return false;
    for (let i = 0; i < word.length; i++) if (this.units[start + i] !== word.charCodeAt(i)) return false;
    return true;
  }

  private sameWord(a: number, b: number): boolean {
    const startA = this.offsets[a];
    const startB = this.offsets[b];
    const length = this.offsets[a + 1] - startA;
    if (this.offsets[b + 1] - startB !== length) return false;
    for (let i = 0; i < length; i++) if (this.units[startA + i] !== this.units[startB + i]) return false;
    return true;
  }
}

/** The smallest power of two >= 2 x count (at least 2): the table stays at most half full, so a probe always meets an empty slot. */
export function tableLength(count: number): number {
  let n = 2;
  while (n < 2 * count) n *= 2;
  return n;
}

/** `fnv1a` over code units `units[start .. end)`: the same value as `fnv1a` of the string they spell. */
export function hashUnits(units: Uint16Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= units[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
