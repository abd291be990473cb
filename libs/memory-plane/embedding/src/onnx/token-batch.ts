/** One text as token ids, with its attention mask and segment ids (all of one length). */
export interface TokenizedText {
  ids: readonly number[];
  mask: readonly number[];
  typeIds?: readonly number[];
}

/** A padded batch in row-major [rows, length] layout, ready to become int64 or int32 tensors. */
export interface TokenBatch {
  rows: number;
  length: number;
  ids: number[];
  mask: number[];
  typeIds: number[];
}

/**
 * Cuts a text longer than `max` tokens, keeping its leading tokens and its `closing` special tokens
 * ([SEP]), as Hugging Face's `truncation=True` does for one sequence.
 */
export function truncateTokens(t: TokenizedText, max: number, closing: number): TokenizedText {
  if (t.ids.length <= max) return t;
  const keep = Math.max(max - closing, 0);
  const cut = <T>(xs: readonly T[]) => [...xs.slice(0, keep), ...xs.slice(xs.length - (max - keep))];
  return { ids: cut(t.ids), mask: cut(t.mask), typeIds: t.typeIds && cut(t.typeIds) };
}

/** Pads texts to the longest one with `padId` (mask 0), so one inference runs them together. */
export function padBatch(texts: readonly TokenizedText[], padId: number): TokenBatch {
  const length = Math.max(1, ...texts.map((t) => t.ids.length));
  const batch: TokenBatch = { rows: texts.length, length, ids: [], mask: [], typeIds: [] };
  for (const t of texts) {
    const pad = length - t.ids.length;
    batch.ids.push(...t.ids, ...new Array<number>(pad).fill(padId));
    batch.mask.push(...t.mask, ...new Array<number>(pad).fill(0));
    batch.typeIds.push(...(t.typeIds ?? new Array<number>(t.ids.length).fill(0)), ...new Array<number>(pad).fill(0));
  }
  return batch;
}

/**
 * Sentence vectors from token vectors `hidden` [rows, length, dim]: the mean over the tokens whose
 * mask is 1 (padding does not count), as sentence-transformers' mean pooling.
 */
export function meanPool(hidden: ArrayLike<number>, mask: readonly number[], rows: number, length: number, dim: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const v = new Float32Array(dim);
    let count = 0;
    for (let t = 0; t < length; t++) {
      if (mask[r * length + t] === 0) continue;
      count++;
      const base = (r * length + t) * dim;
      for (let d = 0; d < dim; d++) v[d] += hidden[base + d];
    }
    if (count > 0) for (let d = 0; d < dim; d++) v[d] /= count;
    out.push(v);
  }
  return out;
}

/** Rows of a [rows, dim] output (a model's own `sentence_embedding`). */
export function splitRows(data: ArrayLike<number>, rows: number, dim: number): Float32Array[] {
  return Array.from({ length: rows }, (_, r) => Float32Array.from({ length: dim }, (_, d) => data[r * dim + d]));
}
