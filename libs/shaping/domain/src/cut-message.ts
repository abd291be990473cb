import type { ChatMessage } from '@cp/shared/contracts';

/** What replaces the middle of a cut message; the model (and whoever reads the log) sees that text is missing. */
export function cutMarker(removedChars: number): string {
  return `\n\n[… ${removedChars} characters cut here by the control plane to fit the model's context window …]\n\n`;
}

/** Never split a surrogate pair: move the index off a low surrogate. */
function codePointBoundary(text: string, index: number): number {
  const c = text.charCodeAt(index);
  return c >= 0xdc00 && c <= 0xdfff ? index - 1 : index;
}

/** `text` cut to about `keepChars` characters: its head and its tail, the middle replaced by the marker. */
export function cutMiddle(text: string, keepChars: number): string {
  if (keepChars >= text.length) return text;
  const head = codePointBoundary(text, Math.ceil(keepChars / 2));
  const tailStart = codePointBoundary(text, text.length - Math.floor(keepChars / 2));
  return text.slice(0, head) + cutMarker(tailStart - head) + text.slice(tailStart);
}

/** The length of the message's text that a cut can shorten (its content; tool call arguments are never cut: they must stay JSON). */
export function cuttableChars(message: ChatMessage): number {
  const content = message.content;
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let longest = 0;
  for (const part of content) if (part.type === 'text' && part.text.length > longest) longest = part.text.length;
  return longest;
}

type TextLike = { type: 'text'; text: string };

function isTextPart<P extends { type: string }>(part: P): part is P & TextLike {
  return part.type === 'text';
}

function cutParts<P extends { type: string }>(parts: P[], keepChars: number): P[] {
  let longest = -1;
  let longestChars = -1;
  parts.forEach((part, i) => {
    if (isTextPart(part) && part.text.length > longestChars) {
      longest = i;
      longestChars = part.text.length;
    }
  });
  return parts.map((part, i) => (i === longest && isTextPart(part) ? { ...part, text: cutMiddle(part.text, keepChars) } : part));
}

function cutContent<P extends { type: string }>(content: string | P[], keepChars: number): string | P[] {
  return typeof content === 'string' ? cutMiddle(content, keepChars) : cutParts(content, keepChars);
}

/** The message with its content (or its longest text part) cut to `keepChars`. */
export function cutMessage(message: ChatMessage, keepChars: number): ChatMessage {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { ...message, content: cutContent(message.content, keepChars) };
    case 'user':
      return { ...message, content: cutContent(message.content, keepChars) };
    case 'tool':
      return { ...message, content: cutContent(message.content, keepChars) };
    case 'assistant':
      return message.content === null || message.content === undefined ? message : { ...message, content: cutContent(message.content, keepChars) };
  }
}
