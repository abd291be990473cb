import type { ChatMessage } from '@cp/shared/contracts';
import { isSystemLike, orphans, splitTurns } from './conversation-turns';
import { cutMessage, cuttableChars } from './cut-message';

/** What shaping needs to know about each message's size; `measure` sizes a message that was cut. */
export interface MessageCosts {
  tokens(index: number): number;
  bytes(index: number): number;
  measure(message: ChatMessage): { tokens: number; bytes: number };
}

export interface ShapeGoal {
  /** What the level shapes down to. */
  targetTokens: number;
  targetBytes: number;
  /** The hard limit: messages are cut only when the kept ones exceed it (or the byte target). */
  budgetTokens: number;
  /** Tokens the request costs besides its messages (tool definitions, framing). */
  fixedTokens: number;
  /** The least a cut message keeps, in characters. */
  minCutChars: number;
}

export interface ShapedMessages {
  messages: ChatMessage[];
  /** Indexes in the original request. */
  dropped: number[];
  cut: number[];
  tokens: number;
  bytes: number;
}

/** A cut removes a bit more than the size ratio says, so one cut usually suffices. */
const CUT_SLACK = 1.05;
/** How many times one message may be cut again when the first cut was not enough (size ratios are estimates). */
const MAX_CUT_PASSES = 3;

/**
 * The request's messages shaped toward `goal`: system and developer messages and the newest turn
 * are kept; older turns are added back newest first while they fit the target, so the oldest go
 * first and always whole; tool messages whose call was dropped (or calls whose results were) go
 * too. Only when what is kept still exceeds the budget (or the byte target) are the largest messages
 * cut in the middle, down to the target. Loops are bounded by the number of messages.
 */
export function shapeMessages(messages: ChatMessage[], costs: MessageCosts, goal: ShapeGoal): ShapedMessages {
  const n = messages.length;
  const { olderStarts, newestStart } = splitTurns(messages);
  const kept = new Array<boolean>(n).fill(false);
  let tokens = goal.fixedTokens;
  let bytes = 0;
  const keep = (i: number) => {
    kept[i] = true;
    tokens += costs.tokens(i);
    bytes += costs.bytes(i);
  };
  for (let i = 0; i < n; i++) if (i >= newestStart || isSystemLike(messages[i])) keep(i);

  for (let t = olderStarts.length - 1; t >= 0; t--) {
    const end = t + 1 < olderStarts.length ? olderStarts[t + 1] : newestStart;
    let turnTokens = 0;
    let turnBytes = 0;
    let fits = true;
    for (let i = olderStarts[t]; i < end && fits; i++) {
      if (isSystemLike(messages[i])) continue;
      turnTokens += costs.tokens(i);
      turnBytes += costs.bytes(i);
      fits = tokens + turnTokens <= goal.targetTokens && bytes + turnBytes <= goal.targetBytes;
    }
    if (!fits) break;
    for (let i = olderStarts[t]; i < end; i++) if (!isSystemLike(messages[i])) keep(i);
  }

  for (let guard = 0; guard < n; guard++) {
    const found = orphans(messages, kept);
    if (found.length === 0) break;
    for (const i of found) {
      kept[i] = false;
      tokens -= costs.tokens(i);
      bytes -= costs.bytes(i);
    }
  }

  const out = messages.slice();
  const cut: number[] = [];
  if (tokens > goal.budgetTokens || bytes > goal.targetBytes) {
    ({ tokens, bytes } = cutLargest(out, kept, costs, goal, tokens, bytes, cut));
  }
  const dropped: number[] = [];
  const shaped: ChatMessage[] = [];
  out.forEach((m, i) => (kept[i] ? shaped.push(m) : dropped.push(i)));
  return { messages: shaped, dropped, cut: cut.sort((a, b) => a - b), tokens, bytes };
}

function cutLargest(out: ChatMessage[], kept: boolean[], costs: MessageCosts, goal: ShapeGoal, tokens: number, bytes: number, cut: number[]): { tokens: number; bytes: number } {
  const order = out.map((_, i) => i).filter((i) => kept[i] && cuttableChars(out[i]) > goal.minCutChars);
  order.sort((a, b) => cuttableChars(out[b]) - cuttableChars(out[a]));
  const sizes = new Map<number, { tokens: number; bytes: number }>();
  for (let pass = 0; pass < MAX_CUT_PASSES; pass++) {
    for (const i of order) {
      if (tokens <= goal.targetTokens && bytes <= goal.targetBytes) return { tokens, bytes };
      const chars = cuttableChars(out[i]);
      if (chars <= goal.minCutChars) continue;
      const before = sizes.get(i) ?? { tokens: costs.tokens(i), bytes: costs.bytes(i) };
      const overTokens = Math.max(0, tokens - goal.targetTokens);
      const overBytes = Math.max(0, bytes - goal.targetBytes);
      const share = Math.max(before.tokens > 0 ? overTokens / before.tokens : 0, before.bytes > 0 ? overBytes / before.bytes : 0);
      const keepChars = Math.max(goal.minCutChars, Math.floor(chars * (1 - share * CUT_SLACK)));
      if (keepChars >= chars) continue;
      out[i] = cutMessage(out[i], keepChars);
      const after = costs.measure(out[i]);
      sizes.set(i, after);
      tokens += after.tokens - before.tokens;
      bytes += after.bytes - before.bytes;
      if (!cut.includes(i)) cut.push(i);
    }
  }
  return { tokens, bytes };
}
