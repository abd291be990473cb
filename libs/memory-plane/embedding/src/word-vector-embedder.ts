import { words } from '@cp/memory-plane/domain';
import { normalize, type Embedder } from './embedder';
import type { WordVectors } from './word-vectors';

/** What the embedder reads of the word vectors (a test can give a reference implementation). */
export type WordVectorSource = Pick<WordVectors, 'dimension' | 'size' | 'rank' | 'addTo'>;

/**
 * A text's vector as the weighted mean of its words' vectors. `sif` weighs each word by
 * a / (a + p(word)) (Arora et al. 2017, "smooth inverse frequency"), with p estimated from the
 * word's frequency rank by Zipf's law, so frequent words count little and rare, telling ones
 * a lot; `mean` weighs every word alike (the plain average, our floor). Identifiers unknown as a
 * whole (`node-20`, `fix/pay-123`) count by their known parts.
 */
export class WordVectorEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;

  constructor(
    private readonly vectors: WordVectorSource,
    private readonly weighting: 'sif' | 'mean' = 'sif',
    private readonly a = 1e-3,
  ) {
    this.dimension = vectors.dimension;
    this.id = `wink-sg-100d-${weighting}@1`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    for (const w of words(text)) {
      if (this.addWord(v, w)) continue;
      for (const part of w.split(/[._+#/-]+/)) if (part && part !== w) this.addWord(v, part);
    }
    return normalize(v);
  }

  private addWord(v: Float32Array, w: string): boolean {
    const rank = this.vectors.rank(w);
    if (rank === undefined) return false;
    return this.vectors.addTo(v, w, this.weighting === 'mean' ? 1 : this.sif(rank));
  }

  /** p(rank) = 1 / ((rank + 1) * H), H ≈ ln(V) + 0.577 for a Zipfian vocabulary of V words. */
  private sif(rank: number): number {
    const p = 1 / ((rank + 1) * (Math.log(this.vectors.size) + 0.5772));
    return this.a / (this.a + p);
  }
}
