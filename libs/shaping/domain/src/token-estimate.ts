/**
 * A token estimate for models whose tokenizer is not published (Claude, Gemini, Qwen, ...): a linear
 * model over what BPE tokenizers split on, calibrated against tiktoken's o200k_base on a corpus of
 * prose, code, JSON, base64 and nine languages (`npm run bench:tokens` re-fits it and prints the
 * error table; docs/shaping.md has the figures). One pass over the characters, no allocation.
 */
export const ESTIMATE_FEATURES = ['words', 'letters', 'digitGroups', 'punctuation', 'lineBreaks', 'otherLetters', 'otherWords', 'wideChars', 'spaces'] as const;
export type EstimateFeatures = Record<(typeof ESTIMATE_FEATURES)[number], number>;

/** Fitted by `npm run bench:tokens` (least squares, weighted by 1/tokens, no intercept). */
export const ESTIMATE_COEFFICIENTS: EstimateFeatures = {
  words: 0.7014,
  letters: 0.1123,
  digitGroups: 2.656,
  punctuation: 0.3223,
  lineBreaks: 1.923,
  otherLetters: 0.21,
  otherWords: 0.2957,
  wideChars: 0.6634,
  spaces: -0.1018,
};

const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;
const OTHER_LETTER = 4;
const LINE_BREAK = 5;
const SPACE = 6;
const WIDE = 7;
const PUNCTUATION = 8;

function isWide(c: number): boolean {
  return (c >= 0x2e80 && c < 0xd800) || (c >= 0xf900 && c < 0xfb00) || (c >= 0xff00 && c < 0xfff0);
}

/** Counts the features of `text`: ASCII words (split where case goes up, as BPE pre-tokenizers do), 3-digit groups, and so on. */
export function estimateFeatures(text: string): EstimateFeatures {
  const f: EstimateFeatures = { words: 0, letters: 0, digitGroups: 0, punctuation: 0, lineBreaks: 0, otherLetters: 0, otherWords: 0, wideChars: 0, spaces: 0 };
  let prev = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let cls: number;
    if (c >= 97 && c <= 122) {
      cls = LOWER;
      f.letters++;
      if (prev !== LOWER && prev !== UPPER) f.words++;
    } else if (c >= 65 && c <= 90) {
      cls = UPPER;
      f.letters++;
      if (prev !== UPPER) f.words++;
    } else if (c >= 48 && c <= 57) {
      cls = DIGIT;
      if (prev !== DIGIT) digits = 0;
      if (digits % 3 === 0) f.digitGroups++;
      digits++;
    } else if (c === 10 || c === 13) {
      cls = LINE_BREAK;
      if (prev !== LINE_BREAK) f.lineBreaks++;
    } else if (c === 32 || c === 9) {
      cls = SPACE;
      f.spaces++;
    } else if (c < 128) {
      cls = PUNCTUATION;
      f.punctuation++;
    } else if (isWide(c)) {
      cls = WIDE;
      f.wideChars++;
    } else {
      cls = OTHER_LETTER;
      f.otherLetters++;
      if (prev !== OTHER_LETTER) f.otherWords++;
    }
    prev = cls;
  }
  return f;
}

export function applyEstimate(f: EstimateFeatures, c: EstimateFeatures = ESTIMATE_COEFFICIENTS): number {
  let sum = 0;
  for (const key of ESTIMATE_FEATURES) sum += f[key] * c[key];
  return sum;
}

/** The calibrated estimate of `text`'s tokens (at least 1 for a non-empty text). */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(1, Math.ceil(applyEstimate(estimateFeatures(text))));
}
