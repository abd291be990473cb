import { readFileSync } from 'node:fs';
import { defaultStaticEmbedder } from './create-embedder';
import { fnv1a } from './embedder';
import { EVAL_DOCS, EVAL_QUERIES } from './eval/kb-eval-set';
import { hashUnits, tableLength } from './word-table';
import { defaultVectorsFile, mostFrequentWords, WordVectors } from './word-vectors';
import { decodeWordVectors, encodeWordVectors } from './word-vectors-file';

const DIM = 3;
/** Word r's vector: (r + 1, -(r + 1), 2r), so a test can tell which rank was added. */
const vectorsFor = (n: number) => Int8Array.from({ length: n * DIM }, (_, i) => [1, -1, 2][i % DIM] * (Math.floor(i / DIM) + (i % DIM === 2 ? 0 : 1)));
const tableOf = (words: string[]) => WordVectors.fromBuffer(encodeWordVectors('test', DIM, words, vectorsFor(words.length)));

/** The lookup as it was before the compact table (a string per word and a Map), kept as the reference. */
class MapWordVectors {
  private readonly index: Map<string, number>;
  constructor(
    readonly dimension: number,
    words: readonly string[],
    private readonly data: Int8Array,
  ) {
    this.index = new Map(words.map((w, i) => [w, i]));
  }
  get size(): number {
    return this.index.size;
  }
  rank(word: string): number | undefined {
    return this.index.get(word);
  }
  addTo(into: Float32Array, word: string, weight: number): boolean {
    const r = this.index.get(word);
    if (r === undefined) return false;
    const off = r * this.dimension;
    const s = weight / 127;
    for (let i = 0; i < this.dimension; i++) into[i] += this.data[off + i] * s;
    return true;
  }
}

describe('WordVectors', () => {
  const words = ['the', 'café', 'naïve', '日本語', 'smile🙂', 'c++', 'node-20', 'a', 'Zürich', 'ß'];

  describe('fromBuffer', () => {
    it('Given words with non-ASCII letters and surrogate pairs, When encoded and read back, Then every word keeps its rank, text and vector', () => {
      const table = tableOf(words);
      expect(table.size).toBe(words.length);
      expect(table.dimension).toBe(DIM);
      words.forEach((w, r) => {
        expect(table.rank(w)).toBe(r);
        expect(table.wordAt(r)).toBe(w);
        const v = new Float32Array(DIM);
        expect(table.addTo(v, w, 127)).toBe(true);
        expect(Array.from(v)).toEqual([r + 1, -(r + 1), 2 * r]);
      });
    });

    it('Given the file bytes at an odd memory offset, When read, Then the table still reads them', () => {
      const bytes = encodeWordVectors('test', DIM, words, vectorsFor(words.length));
      const shifted = Buffer.alloc(bytes.length + 1);
      bytes.copy(shifted, 1);
      const table = WordVectors.fromBuffer(shifted.subarray(1));
      expect(words.map((w) => table.rank(w))).toEqual(words.map((_, r) => r));
    });

    it('Given a file of another format or a truncated one, When read, Then it is refused with the reason', () => {
      const bytes = encodeWordVectors('test', DIM, words, vectorsFor(words.length));
      expect(() => WordVectors.fromBuffer(Buffer.concat([Buffer.from('CPWV1\n'), bytes.subarray(6)]))).toThrow('not a CPWV2 word-vector file');
      expect(() => WordVectors.fromBuffer(bytes.subarray(0, bytes.length - 1))).toThrow('truncated');
    });
  });

  describe('rank', () => {
    it('Given unknown words, prefixes, extensions and other cases of known ones, When looked up, Then none is found and addTo leaves the vector alone', () => {
      const table = tableOf(words);
      for (const w of ['cafe', 'caf', 'cafés', 'The', 'nod', 'node-2', 'node-200', '日本', '', 'smile', 'zz']) {
        expect(table.rank(w)).toBeUndefined();
        const v = new Float32Array(DIM);
        expect(table.addTo(v, w, 1)).toBe(false);
        expect(Array.from(v)).toEqual([0, 0, 0]);
      }
    });

    it('Given a word listed twice and an empty word, When read, Then the later rank wins, size counts distinct words, and the empty word is a word like any other (as with a Map)', () => {
      const table = tableOf(['x', '', 'y', 'x']);
      expect(table.rank('x')).toBe(3);
      expect(table.rank('')).toBe(1);
      expect(table.size).toBe(3);
      expect([0, 1, 2, 3].map((r) => table.wordAt(r))).toEqual(['x', '', 'y', 'x']);
    });

    it('Given words that all hash to the last slot of a tiny table, When looked up, Then probing wraps around and finds each, and a colliding unknown word is not found', () => {
      const slots = tableLength(4);
      const colliding = Array.from({ length: 5000 }, (_, i) => `w${i}`).filter((w) => (fnv1a(w) & (slots - 1)) === slots - 1);
      const [known, unknown] = [colliding.slice(0, 4), colliding[4]];
      const table = tableOf(known);
      expect(known.map((w) => table.rank(w))).toEqual([0, 1, 2, 3]);
      expect(table.rank(unknown)).toBeUndefined();
    });
  });

  describe('wordAt', () => {
    it('Given ranks outside the table, When asked, Then there is no word', () => {
      const table = tableOf(words);
      for (const r of [-1, words.length, 1.5, Number.NaN]) expect(table.wordAt(r)).toBeUndefined();
    });
  });

  describe('defaultStaticEmbedder', () => {
    it('Given the default vectors, When a few hundred texts are embedded, Then every vector is bit-identical to the Map-based lookup of the same words', async () => {
      const compact = WordVectors.load(); // builds the file first when missing
      const file = decodeWordVectors(readFileSync(defaultVectorsFile()));
      const fileWords = Array.from({ length: file.count }, (_, r) => Buffer.from(file.units.buffer, file.units.byteOffset + 2 * file.offsets[r], 2 * (file.offsets[r + 1] - file.offsets[r])).toString('utf16le'));
      const reference = new MapWordVectors(file.dimension, fileWords, file.vectors);
      expect(compact.size).toBe(reference.size);
      expect(fileWords.every((w) => compact.rank(w) === reference.rank(w))).toBe(true);

      const texts = sampleTexts(compact, fileWords);
      const [expected, actual] = await Promise.all([defaultStaticEmbedder(reference).embed(texts), defaultStaticEmbedder(compact).embed(texts)]);
      const differing = texts.filter((_, i) => Buffer.compare(Buffer.from(expected[i].buffer), Buffer.from(actual[i].buffer)) !== 0);
      expect(texts.length).toBeGreaterThan(300);
      expect(differing).toEqual([]);
    }, 60_000);
  });
});

describe('hashUnits', () => {
  it('Given the code units of a string inside a longer blob, When hashed, Then the hash is fnv1a of the string', () => {
    for (const w of ['', 'a', 'café', 'smile🙂', '日本語']) {
      const units = Uint16Array.from({ length: w.length + 2 }, (_, i) => (i === 0 || i > w.length ? 0x41 : w.charCodeAt(i - 1)));
      expect(hashUnits(units, 1, w.length + 1)).toBe(fnv1a(w));
    }
  });
});

describe('tableLength', () => {
  it.each([
    [0, 2],
    [1, 2],
    [4, 8],
    [5, 16],
    [120_000, 262_144],
  ])('Given %i words, When sized, Then the table has %i slots (a power of two, at least twice the words)', (count, slots) => {
    expect(tableLength(count)).toBe(slots);
  });
});

describe('mostFrequentWords', () => {
  it('Given the package shape with an empty word, When the two most frequent are kept, Then they come in rank order without the empty word, as int8 unit vectors', () => {
    const raw = { dimensions: 2, vectors: { c: [1, 1, 0, 3], '': [1, 0, 0, 0], a: [0, 5, 0, 2], b: [3, 4, 0, 1] } };
    const { dimension, words, vectors } = mostFrequentWords(raw, 2);
    expect(dimension).toBe(2);
    expect(words).toEqual(['b', 'a']);
    expect(Array.from(vectors)).toEqual([76, 102, 0, 127]);
  });
});

/** The labelled set's documents and queries, and chunk-like texts of vocabulary words, identifiers, unknown and non-ASCII words. */
function sampleTexts(vectors: WordVectors, fileWords: readonly string[]): string[] {
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const nonAscii = fileWords.filter((w) => /[^\x00-\x7f]/.test(w));
  const pick = (): string => {
    const x = rnd();
    if (x < 0.05) return `qz${Math.floor(rnd() * 1e6)}`;
    if (x < 0.08) return `${vectors.wordAt(Math.floor(rnd() * 5000))}-${Math.floor(rnd() * 100)}`;
    if (x < 0.1) return nonAscii[Math.floor(rnd() * nonAscii.length)];
    if (x < 0.12) return (vectors.wordAt(Math.floor(rnd() * 1000)) ?? '').toUpperCase();
    return vectors.wordAt(Math.floor(rnd() ** 2 * vectors.size)) ?? '';
  };
  const chunks = Array.from({ length: 200 }, () => Array.from({ length: 60 }, pick).join(' '));
  return [...EVAL_DOCS.map((d) => `${d.title}\n\n${d.content}`), ...EVAL_QUERIES.map((q) => q.q), ...chunks];
}
