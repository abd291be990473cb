import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An event as the spool keeps it until JetStream has acknowledged it. */
export interface SpooledEvent {
  subject: string;
  id: string;
  correlationId: string;
  data: Uint8Array;
  /**
   * The message it travels in: the id of that message's first event (its `Nats-Msg-Id`), when that
   * is another event's. A re-send after a crash puts the events of one message back in one message
   * with the same id, so JetStream drops it as a duplicate when the first one had landed.
   */
  batch?: string;
}

/** What a process that died left behind: events never acknowledged, requests begun and never recorded. */
export interface RecoveredSpool {
  from: string;
  events: SpooledEvent[];
  /** Requests whose begin was written and whose ledger event was not: the process died holding them. */
  abandoned: { requestId: string; info: Record<string, unknown> }[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const TAB = 0x09;
const NL = 0x0a;
/** The end of every journal line. */
export const NEWLINE = Uint8Array.of(NL);

// The journal's line format, written by `EventSpool` and read back by `readJournal`: a kind letter
// (`e` event, `m` event in a message another event starts, `a` acknowledged ids, `b` request begun),
// tab-separated fields, then for `e`, `m` and `b` the raw JSON text, and a newline.

/**
 * The start of one journal line: a kind and tab-separated fields, with the tab before its raw JSON
 * text when one follows (that text never holds a tab or newline); `append` adds the text and the newline.
 */
export function lineHead(kind: 'e' | 'm' | 'a' | 'b', fields: string[], withJson: boolean): Uint8Array {
  return enc.encode(`${kind}\t${fields.join('\t')}${withJson ? '\t' : ''}`);
}

/** Reads every segment of a journal in order; a torn last line (the process died mid-write) is ignored. */
export function readJournal(path: string, from: string): RecoveredSpool {
  const events = new Map<string, SpooledEvent>();
  const begins = new Map<string, Record<string, unknown>>();
  const files = existsSync(path) ? readdirSync(path).filter((f) => f.endsWith('.journal')).sort() : [];
  for (const f of files) {
    const buf = readFileSync(join(path, f));
    let start = 0;
    for (let i = buf.indexOf(NL, start); i !== -1; start = i + 1, i = buf.indexOf(NL, start)) {
      const rec = buf.subarray(start, i);
      const t1 = rec.indexOf(TAB);
      if (t1 !== 1) continue;
      const kind = rec[0];
      const fields = (n: number) => {
        const out: string[] = [];
        let at = 2;
        for (let k = 0; k < n; k++) {
          const t = rec.indexOf(TAB, at);
          const end = t === -1 || k === n - 1 ? (t === -1 ? rec.length : t) : t;
          out.push(dec.decode(rec.subarray(at, end)));
          at = end + 1;
        }
        return { out, rest: rec.subarray(Math.min(at, rec.length)) };
      };
      if (kind === 0x65 /* e */ || kind === 0x6d /* m: an event in a message another event starts */) {
        const { out, rest } = fields(kind === 0x65 ? 3 : 4);
        const [subject, id, correlationId, batch] = out;
        events.set(id, { subject, id, correlationId, data: Uint8Array.from(rest), ...(batch === undefined ? {} : { batch }) });
        begins.delete(correlationId);
      } else if (kind === 0x61 /* a */) {
        for (const id of fields(1).out[0].split(',')) events.delete(id);
      } else if (kind === 0x62 /* b */) {
        const { out, rest } = fields(1);
        try {
          begins.set(out[0], JSON.parse(dec.decode(rest)) as Record<string, unknown>);
        } catch {
          begins.set(out[0], {});
        }
      }
    }
  }
  return { from, events: [...events.values()], abandoned: [...begins.entries()].map(([requestId, info]) => ({ requestId, info })) };
}
