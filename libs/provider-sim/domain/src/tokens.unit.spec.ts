import { splitText, tokensForChars } from './tokens';

describe('tokensForChars', () => {
  it('Given 0 characters, When counted, Then at least one token is reported', () => {
    expect(tokensForChars(0)).toBe(1);
  });

  it('Given 9 characters, When counted, Then it rounds up to 3 tokens', () => {
    expect(tokensForChars(9)).toBe(3);
  });
});

describe('splitText', () => {
  it('Given a sentence, When split, Then four pieces rejoin into the original', () => {
    const pieces = splitText('echo: the quick brown fox');
    expect(pieces).toHaveLength(4);
    expect(pieces.join('')).toBe('echo: the quick brown fox');
  });

  it('Given a text shorter than four characters, When split, Then each character is a piece', () => {
    expect(splitText('ab')).toEqual(['a', 'b']);
  });

  it('Given an empty text, When split, Then there are no pieces', () => {
    expect(splitText('')).toEqual([]);
  });

  it('Given emoji whose surrogate pairs straddle a cut, When split, Then no piece holds half a pair', () => {
    const text = '😀😀😀😀😀';
    const pieces = splitText(text);
    expect(pieces.join('')).toBe(text);
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const piece of pieces) expect(lone.test(piece)).toBe(false);
  });
});
