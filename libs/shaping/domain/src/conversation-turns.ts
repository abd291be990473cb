import type { ChatMessage } from '@cp/shared/contracts';

export function isSystemLike(message: ChatMessage): boolean {
  return message.role === 'system' || message.role === 'developer';
}

/**
 * The conversation's structure as shaping sees it: system and developer messages (kept wherever they
 * are), the turns before the newest one (each starts at a user message and runs to the next one;
 * messages before the first user message form a turn of their own), and where the newest turn
 * starts (the last user message; with none, the first non-system message). One pass, no recursion.
 */
export interface ConversationTurns {
  /** Start indexes of the older turns, oldest first; each ends where the next starts (or at `newestStart`). */
  olderStarts: number[];
  newestStart: number;
}

export function splitTurns(messages: ChatMessage[]): ConversationTurns {
  let lastUser = -1;
  let firstConversation = -1;
  for (let i = 0; i < messages.length; i++) {
    if (isSystemLike(messages[i])) continue;
    if (firstConversation < 0) firstConversation = i;
    if (messages[i].role === 'user') lastUser = i;
  }
  const newestStart = lastUser >= 0 ? lastUser : firstConversation >= 0 ? firstConversation : messages.length;
  const olderStarts: number[] = [];
  for (let i = 0; i < newestStart; i++) {
    if (isSystemLike(messages[i])) continue;
    if (olderStarts.length === 0 || messages[i].role === 'user') olderStarts.push(i);
  }
  return { olderStarts, newestStart };
}

/** The order shaping keeps messages in: system and developer messages and the newest turn, then older messages newest first. */
export function* keepOrder(messages: ChatMessage[]): Generator<number> {
  const { newestStart } = splitTurns(messages);
  for (let i = 0; i < messages.length; i++) if (i >= newestStart || isSystemLike(messages[i])) yield i;
  for (let i = newestStart - 1; i >= 0; i--) if (!isSystemLike(messages[i])) yield i;
}

/**
 * Tool messages among `kept` whose calling assistant message is not kept: they would reach the
 * provider as orphans (Anthropic and Gemini refuse those, OpenAI too). Calls live before their results,
 * so dropping a prefix of turns can orphan only results, never calls; both directions are checked.
 */
export function orphans(messages: ChatMessage[], kept: boolean[]): number[] {
  const keptCalls = new Set<string>();
  const keptResults = new Set<string>();
  const droppedCalls = new Set<string>();
  const droppedResults = new Set<string>();
  messages.forEach((m, i) => {
    if (m.role === 'assistant') for (const call of m.tool_calls ?? []) (kept[i] ? keptCalls : droppedCalls).add(call.id);
    if (m.role === 'tool') (kept[i] ? keptResults : droppedResults).add(m.tool_call_id);
  });
  const found: number[] = [];
  messages.forEach((m, i) => {
    if (!kept[i]) return;
    if (m.role === 'tool' && droppedCalls.has(m.tool_call_id) && !keptCalls.has(m.tool_call_id)) found.push(i);
    if (m.role === 'assistant' && (m.tool_calls ?? []).some((c) => droppedResults.has(c.id) && !keptResults.has(c.id))) found.push(i);
  });
  return found;
}
