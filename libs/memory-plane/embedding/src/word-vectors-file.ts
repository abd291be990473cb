import { endianness } from 'node:os';

/**
 * The compact word-vector file, version 2 (all numbers little-endian):
 *
 *     "CPWV2\n"                       magic (6 bytes)
 *     u32 header length, header       JSON {source, dimension, count}
 *     zero padding to a multiple of 4
 *     u32[count + 1] offsets          word r = code units offsets[r] .. offsets[r + 1] of the blob
 *     u16[offsets[count]] blob        every word's UTF-16 code units, in rank order
 *     i8[count x dimension] vectors   unit vectors x 127, in rank order
 *
 * Offsets and blob are 4- and 2-byte aligned in the file, so a reader views them in place
 * (no copy, no string per word). Version 1 kept the words as a JSON array in the header.
 */
export const WORD_VECTORS_MAGIC = 'CPWV2\n';

export interface WordVectorsContent {
  source: string;
  dimension: number;
  count: number;
  offsets: Uint32Array;
  units: Uint16Array;
  vectors: Int8Array;
}

/** The file's bytes for `words` (in rank order) and their int8 vectors. */
export function encodeWordVectors(source: string, dimension: number, words: readonly string[], vectors: Int8Array): Buffer {
  assertLittleEndian();
  if (vectors.length !== words.length * dimension) throw new Error(`${words.length} words need ${words.length * dimension} vector values, got ${vectors.length}`);
  const offsets = new Uint32Array(words.length + 1);
  words.forEach((w, r) => (offsets[r + 1] = offsets[r] + w.length));
  const units = new Uint16Array(offsets[words.length]);
  words.forEach((w, r) => {
    for (let i = 0; i < w.length; i++) units[offsets[r] + i] = w.charCodeAt(i);
  });
  const header = Buffer.from(JSON.stringify({ source, dimension, count: words.length }), 'utf8');
  const lead = Buffer.alloc(align4(WORD_VECTORS_MAGIC.length + 4 + header.length));
  lead.write(WORD_VECTORS_MAGIC, 0, 'latin1');
  lead.writeUInt32LE(header.length, WORD_VECTORS_MAGIC.length);
  header.copy(lead, WORD_VECTORS_MAGIC.length + 4);
  return Buffer.concat([lead, bytesOf(offsets), bytesOf(units), bytesOf(vectors)]);
}

/** Views over `buf` (copied first only if it is not 4-byte aligned in memory); throws on another format or a truncated file. */
export function decodeWordVectors(buf: Buffer, name = 'buffer'): WordVectorsContent {
  assertLittleEndian();
  if (buf.length < WORD_VECTORS_MAGIC.length + 4 || buf.subarray(0, WORD_VECTORS_MAGIC.length).toString('latin1') !== WORD_VECTORS_MAGIC) {
    throw new Error(`${name} is not a ${WORD_VECTORS_MAGIC.trim()} word-vector file`);
  }
  const aligned = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
  const headerLength = aligned.readUInt32LE(WORD_VECTORS_MAGIC.length);
  const headerStart = WORD_VECTORS_MAGIC.length + 4;
  const { source, dimension, count } = JSON.parse(aligned.subarray(headerStart, headerStart + headerLength).toString('utf8')) as { source: string; dimension: number; count: number };
  const offsetsStart = align4(headerStart + headerLength);
  const unitsStart = offsetsStart + 4 * (count + 1);
  if (unitsStart > aligned.length) throw new Error(`${name} is truncated`);
  const offsets = new Uint32Array(aligned.buffer, aligned.byteOffset + offsetsStart, count + 1);
  const vectorsStart = unitsStart + 2 * offsets[count];
  if (vectorsStart + count * dimension !== aligned.length) throw new Error(`${name} is truncated or has trailing bytes`);
  return {
    source,
    dimension,
    count,
    offsets,
    units: new Uint16Array(aligned.buffer, aligned.byteOffset + unitsStart, offsets[count]),
    vectors: new Int8Array(aligned.buffer, aligned.byteOffset + vectorsStart, count * dimension),
  };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function bytesOf(a: Uint32Array | Uint16Array | Int8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Typed-array views use the machine's byte order; the file's is little-endian. */
function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('word-vector files are read and written on little-endian machines only');
}
