/** Small English stop-word list: words that carry no subject (used by dedup, conflicts and preference subjects). */
export const STOP_WORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto over under about as is are was were be been being ' +
    'i me my we our you your he she it its they them their this that these those there here what which who whom whose when where why how ' +
    'do does did doing done have has had having will would shall should can could may might must not no nor so than too very just also ' +
    'all any both each few more most other some such only own same s t up down out off again further once am please always never dont don ' +
    'use using used prefer prefers preferred like want wants let lets make makes get gets'
  ).split(' '),
);

/** Lower-cased word tokens (letters, digits, and inner `._-+#` so identifiers like `node-20` or `c++` stay whole). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:[._+#-]+[\p{L}\p{N}]+)*[+#]*/gu) ?? [];
}

/** The words that say what a text is about (no stop words, no one-letter words). */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length > 1 && !STOP_WORDS.has(w));
}

/** Text for comparisons: lower case, one space, no punctuation. */
export function normalizeText(text: string): string {
  return words(text).join(' ');
}

/** Jaccard similarity of two sets of strings (1 when both are empty). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Word shingles of length `n` (the words themselves when the text is shorter). */
export function shingles(text: string, n = 3): Set<string> {
  const w = words(text);
  if (w.length < n) return new Set(w);
  const out = new Set<string>();
  for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(' '));
  return out;
}

/** A rough token count for budgets (about four characters a token in English). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
