import canonicalize from 'canonicalize';
import { canonicalJson } from './canonical-json';

/** A deterministic pseudo-random JSON value: nested objects and arrays, unicode and escapes in keys and strings, numbers of every shape. */
function randomValue(seed: { s: number }, depth: number): unknown {
  const r = () => ((seed.s = (seed.s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const str = () => Array.from({ length: Math.floor(r() * 8) }, () => ['a', 'Z', '0', '"', '\\', '\n', '\u0001', 'é', '€', '😀', '\ud800', ' ', '_'][Math.floor(r() * 13)]).join('');
  const kind = Math.floor(r() * (depth > 3 ? 5 : 7));
  if (kind === 0) return null;
  if (kind === 1) return r() < 0.5;
  if (kind === 2) return [0, -0, 1, -1.5, 1e21, 1e-7, 123456789.123, Number.MAX_SAFE_INTEGER, 5e-324, Math.floor(r() * 1e6)][Math.floor(r() * 10)];
  if (kind === 3 || kind === 4) return str();
  if (kind === 5) return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(seed, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * (r() < 0.1 ? 30 : 8)); i > 0; i--) o[str()] = randomValue(seed, depth + 1);
  return o;
}

describe('canonicalJson', () => {
  it('given 5,000 random JSON values, then every text is the canonicalize package’s (which defined the chain)', () => {
    const seed = { s: 42 };
    for (let i = 0; i < 5_000; i++) {
      const v = randomValue(seed, 0);
      expect(canonicalJson(v)).toBe(canonicalize(v));
    }
  });

  it('given keys out of order, numbers, escapes and unicode, then the text is RFC 8785’s', () => {
    // RFC 8785 3.2.3 sorts by UTF-16 code units: "\u20ac" (euro) before "\ud83d\ude00" (emoji) before "\ufb33".
    const v = { '\ufb33': 1, '😀': 2, '€': 3, b: [1e21, -0, 0.000001, 'é\n"'], a: { z: null, y: true } };
    expect(canonicalJson(v)).toBe('{"a":{"y":true,"z":null},"b":[1e+21,0,0.000001,"é\\n\\""],"€":3,"😀":2,"דּ":1}');
    expect(canonicalJson(v)).toBe(canonicalize(v));
  });

  it('given what JSON cannot hold, then it does what the package does', () => {
    const cases: unknown[] = [
      { a: undefined, b: 1 },
      [undefined, Symbol('s'), () => 1],
      { f: () => 1 },
      new Date(Date.UTC(2026, 11, 3)),
      { d: new Date(Date.UTC(2026, 11, 3)), n: { toJSON: () => ({ y: 2, x: 1 }) } },
      { toJSON: () => undefined },
      // eslint-disable-next-line no-sparse-arrays
      [, 1, , 2],
      undefined,
      'text',
      Array.from({ length: 40 }, (_, i) => i).reduce<Record<string, number>>((o, i) => ((o[`k${(i * 7) % 40}`] = i), o), {}),
    ];
    for (const v of cases) expect(canonicalJson(v)).toBe(canonicalize(v));
    expect(() => canonicalJson({ a: NaN })).toThrow('NaN is not allowed');
    expect(() => canonicalJson([Infinity])).toThrow('Infinity is not allowed');
  });
});
