import fc from 'fast-check';
import { jsonLengthBound } from './request-size';

describe('jsonLengthBound', () => {
  it('given any JSON value (unicode, escapes, lone surrogates included), then it is never below the serialised length', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('"', '\\', '\n', '\u0001', '\ud800', '\udfff', '\u2028', 'é', '😀'), fc.nat(0x10ffff).map((c) => String.fromCodePoint(c))) });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('node')), fc.dictionary(text, tie('node'))),
    })).node;
    fc.assert(
      fc.property(value, (v) => jsonLengthBound(v) >= JSON.stringify(v).length),
      { seed: 20261202, numRuns: 2000 },
    );
  });

  it('given plain ASCII tool definitions, then it stays within 15 % of the serialised length', () => {
    const tools = Array.from({ length: 10 }, (_, i) => ({ type: 'function', function: { name: `tool_${i}`, description: 'Reads a file and returns its text.', parameters: { type: 'object', properties: { path: { type: 'string' }, limit: { type: 'integer', minimum: 1 } }, required: ['path'] } } }));
    const real = JSON.stringify(tools).length;
    expect(jsonLengthBound(tools)).toBeGreaterThanOrEqual(real);
    expect(jsonLengthBound(tools)).toBeLessThanOrEqual(real * 1.15);
  });

  it('given nesting past its depth bound, then it gives up with an infinite bound instead of recursing on', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(jsonLengthBound(deep)).toBe(Number.POSITIVE_INFINITY);
  });
});
