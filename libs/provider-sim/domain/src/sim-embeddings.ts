/**
 * Deterministic embeddings for an OpenAI-compatible `/v1/embeddings`: hashed word features in 64
 * signed buckets, unit length. Texts that share words are close; the same text gives the same
 * vector on every run. A stand-in for a provider's embedding model, not a model.
 */
export const SIM_EMBEDDING_DIMENSION = 64;

export function simEmbedding(text: string, dimension = SIM_EMBEDDING_DIMENSION): number[] {
  const v = new Array<number>(dimension).fill(0);
  for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
    h >>>= 0;
    v[h % dimension] += h & 0x80000000 ? -1 : 1;
  }
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => Math.round((x / n) * 1e6) / 1e6);
}

/** The embeddings request the sim accepts: `{ model, input: string | string[] }` (at most 2048 inputs). */
export function parseEmbeddingsRequest(body: unknown): { ok: true; model: string; input: string[] } | { ok: false; message: string } {
  const b = body as { model?: unknown; input?: unknown } | null;
  if (!b || typeof b !== 'object' || typeof b.model !== 'string' || b.model.length === 0) return { ok: false, message: 'model is required' };
  const input = typeof b.input === 'string' ? [b.input] : b.input;
  if (!Array.isArray(input) || input.length === 0 || input.length > 2048 || !input.every((x) => typeof x === 'string')) return { ok: false, message: 'input must be a string or an array of 1 to 2048 strings' };
  return { ok: true, model: b.model, input };
}
