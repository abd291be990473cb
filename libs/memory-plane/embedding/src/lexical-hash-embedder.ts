import { contentWords } from '@cp/memory-plane/domain';
import { fnv1a, normalize, type Embedder } from './embedder';

/**
 * Feature hashing of words and their character trigrams into a fixed number of signed buckets
 * (sublinear term frequency, stop words dropped). Knows no meaning, only spelling: it finds exact
 * identifiers and shared word parts (`deploy`/`deployed`), which word vectors miss.
 */
export class LexicalHashEmbedder implements Embedder {
  readonly id: string;

  constructor(readonly dimension = 256) {
    this.id = `lex-hash-${dimension}@1`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): Float32Array {
    const counts = new Map<string, number>();
    for (const w of contentWords(text)) {
      counts.set(`w:${w}`, (counts.get(`w:${w}`) ?? 0) + 1);
      const padded = `<${w}>`;
      for (let i = 0; i + 3 <= padded.length; i++) {
        const g = `g:${padded.slice(i, i + 3)}`;
        counts.set(g, (counts.get(g) ?? 0) + 0.25);
      }
    }
    const v = new Float32Array(this.dimension);
    for (const [feature, tf] of counts) {
      const h = fnv1a(feature);
      v[h % this.dimension] += (h & 0x80000000 ? -1 : 1) * (1 + Math.log(1 + tf));
    }
    return normalize(v);
  }
}
