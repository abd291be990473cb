import { createHash } from 'node:crypto';

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** An embedder id as it may appear inside SQL (it names a partial index and its predicate). */
const SAFE_EMBEDDER = /^[A-Za-z0-9@._:+-]{1,100}$/;

/** The embedder id as an SQL string literal (only ids of `SAFE_EMBEDDER`'s characters). */
export function sqlEmbedder(embedder: string): string {
  if (!SAFE_EMBEDDER.test(embedder)) throw new Error('embedder id must be letters, digits and @._:+-');
  return `'${embedder}'`;
}

/** A vector dimension or index parameter as an SQL integer. */
export function sqlInt(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 16000) throw new Error(`bad vector dimension ${n}`);
  return n;
}
