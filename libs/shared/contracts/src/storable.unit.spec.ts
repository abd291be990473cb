import { isCleanIdentifier, storable, storableJson } from './storable';

describe('storableJson', () => {
  it('given JSON without any \\u escape, then the very same string comes back', () => {
    const json = JSON.stringify({ model: 'gpt-4o', text: 'plain \\ backslash and "quotes" and 😀' });
    expect(storableJson(json)).toBe(json);
  });

  it('given a NUL and lone surrogates, then each becomes U+FFFD and the JSON still parses', () => {
    const json = JSON.stringify({ model: 'a\u0000b', high: 'x\ud800', low: '\udc00y', both: '\ud800\u0000' });
    expect(JSON.parse(storableJson(json))).toEqual({ model: 'a\ufffdb', high: 'x\ufffd', low: '\ufffdy', both: '\ufffd\ufffd' });
  });

  it('given valid pairs and other escapes, then they are kept', () => {
    const json = '{"pair":"\\ud83d\\ude00","ctl":"\\u0001\\n","nul_text":"\\\\u0000"}';
    expect(JSON.parse(storableJson(json))).toEqual({ pair: '😀', ctl: '\u0001\n', nul_text: '\\u0000' });
  });

  it('given an escaped backslash before "ud800" as text, then it is not read as an escape', () => {
    const json = JSON.stringify({ path: 'C:\\ud800\\x' });
    expect(JSON.parse(storableJson(json))).toEqual({ path: 'C:\\ud800\\x' });
  });
});

describe('storable', () => {
  it('given a clean value, then the same object is returned (no copy)', () => {
    const value = { a: [1, 'two'] };
    expect(storable(value)).toBe(value);
  });

  it('given a nested NUL, then a fixed copy is returned', () => {
    expect(storable({ trail: [{ message: 'boom\u0000' }] })).toEqual({ trail: [{ message: 'boom\ufffd' }] });
  });
});

describe('isCleanIdentifier', () => {
  it.each([
    ['gpt-4o', true],
    ['qwen/qwen3-235b-a22b', true],
    ['modèle-😀', true],
    ['a\u0000b', false],
    ['tab\there', false],
    ['x\ud800', false],
    ['del\u007f', false],
  ])('given %j, then clean is %s', (value, clean) => {
    expect(isCleanIdentifier(value)).toBe(clean);
  });
});
