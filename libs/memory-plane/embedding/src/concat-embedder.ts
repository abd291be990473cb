import { normalize, type Embedder } from './embedder';

/**
 * Concatenates the vectors of several embedders, each scaled by its weight, into one unit vector:
 * the cosine of two such vectors is the weighted sum of the parts' cosines.
 */
export class ConcatEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;

  constructor(
    private readonly parts: { embedder: Embedder; weight: number }[],
    name: string,
  ) {
    this.dimension = parts.reduce((n, p) => n + p.embedder.dimension, 0);
    this.id = `${name}-${this.dimension}@1`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const each = await Promise.all(this.parts.map((p) => p.embedder.embed(texts)));
    return texts.map((_, i) => {
      const v = new Float32Array(this.dimension);
      let off = 0;
      this.parts.forEach((p, k) => {
        const part = each[k][i];
        const s = Math.sqrt(p.weight);
        for (let j = 0; j < part.length; j++) v[off + j] = part[j] * s;
        off += part.length;
      });
      return normalize(v);
    });
  }
}
