import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { deepFreeze, exceedsDepth, FunctionTool, rememberJsonText } from '@cp/shared/contracts';

/** What a chat request's body looks like when its tools came from the memo. */
export interface MemoParse {
  /** The body, parsed, with `tools` still to be set: it holds the memo's sentinel string. */
  body: Record<string, unknown>;
  /** The validated, deep-frozen tools (each with its JSON text remembered), shared by every request that sent the same text. */
  tools: readonly FunctionTool[];
}

/** Nest token of the gateway's memo (null when the edge was not installed, as in some tests). */
export const TOOLS_MEMO = Symbol('TOOLS_MEMO');

export interface ToolsMemoLimits {
  /** Distinct tool texts kept (least recently used go first). */
  entries: number;
  /** Their summed length in characters. */
  chars: number;
  /** Bodies shorter than this are parsed whole: nothing to gain. */
  minBodyChars: number;
}

export const DEFAULT_TOOLS_MEMO_LIMITS: ToolsMemoLimits = { entries: 256, chars: 8 * 1024 * 1024, minBodyChars: 1024 };

interface Entry {
  raw: string;
  tools: readonly FunctionTool[];
}

const ToolList = z.array(FunctionTool);
/** Characters of a tools text that key the lookup: a text is then compared whole with the candidates under its key. */
const PREFIX = 128;
/** Occurrences of `"tools"` looked at in one body (keys of nested objects and schemas may be called that too). */
const MAX_CANDIDATES = 8;
/** Texts with the same prefix compared for one body. */
const MAX_PER_PREFIX = 8;

/**
 * Agents send the same tool definitions on every turn of a conversation: parsing, validating and
 * serialising them again is most of what tools cost a request. The memo maps the raw JSON text of
 * a `tools` array to its parsed, validated and frozen value. For a body whose tools text is known,
 * that text is replaced by a per-process sentinel string and only the rest is parsed; the body's
 * `tools` must then turn out to be exactly the sentinel, which proves the replaced text was the
 * top-level `tools` (the last one, as `JSON.parse` keeps): otherwise the body is parsed whole.
 * A text is learnt the second time it is seen, so one-off tool sets cost only a scan. Correctness
 * does not depend on where the text came from: an entry is the text's own parse.
 */
export class ToolsMemo {
  private readonly byPrefix = new Map<string, Entry[]>();
  /** Tool texts seen once (by prefix and length), least recently used first. */
  private readonly seenOnce = new Map<string, true>();
  private chars = 0;
  private count = 0;
  readonly sentinel = `\u0000cp-tools-memo-${randomBytes(12).toString('hex')}`;
  private readonly sentinelJson = JSON.stringify(this.sentinel);
  hits = 0;
  learnt = 0;

  constructor(
    /** The JSON parser of the edge (the same prototype-poisoning rules for every text). */
    private readonly parse: (text: string) => unknown,
    /** The edge's nesting limit: a body is one level above its tools. */
    private readonly maxDepth: number,
    private readonly limits: ToolsMemoLimits = DEFAULT_TOOLS_MEMO_LIMITS,
  ) {}

  /** The body parsed without its tools when their text is known; undefined when it must be parsed whole. */
  lookup(text: string): MemoParse | undefined {
    if (text.length < this.limits.minBodyChars || this.count === 0) return undefined;
    for (const start of toolsValueStarts(text)) {
      const key = text.substr(start, PREFIX);
      const candidates = this.byPrefix.get(key);
      if (!candidates) continue;
      for (const entry of candidates) {
        // (`substring` + `===` compares memory at once; `startsWith` at an offset goes character by character.)
        if (text.substring(start, start + entry.raw.length) !== entry.raw) continue;
        let body: unknown;
        try {
          body = this.parse(text.slice(0, start) + this.sentinelJson + text.slice(start + entry.raw.length));
        } catch {
          return undefined;
        }
        if (body === null || typeof body !== 'object' || Array.isArray(body) || (body as Record<string, unknown>).tools !== this.sentinel) return undefined;
        this.hits++;
        // Most recently used last: the oldest prefix is the first to go.
        this.byPrefix.delete(key);
        this.byPrefix.set(key, candidates);
        return { body: body as Record<string, unknown>, tools: entry.tools };
      }
    }
    return undefined;
  }

  /**
   * After a body was parsed whole: the text of its first `"tools": [` is remembered the second time
   * it is seen (an entry is that text's own parse, so a nested match only costs a useless entry).
   */
  learn(text: string, body: unknown): void {
    if (text.length < this.limits.minBodyChars || body === null || typeof body !== 'object') return;
    const tools = (body as { tools?: unknown }).tools;
    if (!Array.isArray(tools) || tools.length === 0) return;
    const start = toolsValueStarts(text).next().value;
    const end = start === undefined ? undefined : arrayEnd(text, start);
    if (start === undefined || end === undefined) return;
    const raw = text.slice(start, end);
    const key = `${raw.length}:${raw.substr(0, PREFIX)}`;
    if (this.seenOnce.delete(key)) return this.add(raw);
    this.seenOnce.set(key, true);
    if (this.seenOnce.size > this.limits.entries) this.seenOnce.delete(this.seenOnce.keys().next().value as string);
  }

  get size(): { entries: number; chars: number } {
    return { entries: this.count, chars: this.chars };
  }

  /** For health: what it holds and how often it answered. */
  stats(): { entries: number; chars: number; hits: number; learnt: number } {
    return { ...this.size, hits: this.hits, learnt: this.learnt };
  }

  private add(raw: string): void {
    if (raw.length > this.limits.chars) return;
    let value: unknown;
    try {
      value = this.parse(raw);
    } catch {
      return;
    }
    if (exceedsDepth(value, this.maxDepth - 1)) return;
    const checked = ToolList.safeParse(value);
    if (!checked.success || checked.data.length === 0) return;
    const tools = deepFreeze(checked.data);
    for (const tool of tools) rememberJsonText(tool);
    const prefix = raw.substr(0, PREFIX);
    const list = this.byPrefix.get(prefix) ?? [];
    if (list.some((e) => e.raw === raw)) return;
    if (list.length >= MAX_PER_PREFIX) this.forget(list.shift()!);
    list.push({ raw, tools });
    this.byPrefix.delete(prefix);
    this.byPrefix.set(prefix, list);
    this.chars += raw.length;
    this.count++;
    this.learnt++;
    while (this.count > this.limits.entries || this.chars > this.limits.chars) {
      const [oldest, entries] = this.byPrefix.entries().next().value as [string, Entry[]];
      this.forget(entries.shift()!);
      if (entries.length === 0) this.byPrefix.delete(oldest);
    }
  }

  private forget(entry: Entry): void {
    this.chars -= entry.raw.length;
    this.count--;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Where the values of `"tools": [` keys start in a JSON text, at most `MAX_CANDIDATES` of them. A
 * match whose opening quote is escaped is inside a string and skipped; a match on a nested key is
 * harmless (the sentinel check refuses it).
 */
function* toolsValueStarts(text: string): Generator<number> {
  let found = 0;
  for (let i = text.indexOf('"tools"'); i !== -1 && found < MAX_CANDIDATES; i = text.indexOf('"tools"', i + 7)) {
    let backslashes = 0;
    while (i - backslashes - 1 >= 0 && text.charCodeAt(i - backslashes - 1) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 1) continue;
    let j = i + 7;
    while (j < text.length && isJsonSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) !== 0x3a /* : */) continue;
    j++;
    while (j < text.length && isJsonSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) !== 0x5b /* [ */) continue;
    found++;
    yield j;
  }
}

/** The index just past the array that starts at `start` (strings skipped whole), or undefined when the text ends first. */
function arrayEnd(text: string, start: number): number | undefined {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end === undefined) return undefined;
      i = end;
    } else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `open`. */
function stringEnd(text: string, open: number): number | undefined {
  for (let q = text.indexOf('"', open + 1); q !== -1; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - backslashes - 1) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return undefined;
}
