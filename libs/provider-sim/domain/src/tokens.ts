/** Token counts as the simulator reports them: a fixed four characters per token, at least one. */
export interface TokenUsage {
  prompt: number;
  completion: number;
}

export function tokensForChars(chars: number): number {
  return chars <= 0 ? 1 : Math.ceil(chars / 4);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Splits text into at most `maxPieces` contiguous pieces of similar length, never between the two
 * halves of a surrogate pair, so every streamed delta is valid UTF-16 on its own.
 */
export function splitText(text: string, maxPieces = 4): string[] {
  if (text.length === 0) return [];
  const size = Math.ceil(text.length / Math.min(maxPieces, text.length));
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end += 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}
