import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processSecrets } from '@cp/shared/contracts';

/** An event as the spool keeps it until JetStream has acknowledged it. */
export interface SpooledEvent {
  subject: string;
  id: string;
  correlationId: string;
  data: Uint8Array;
}

/** What a process that died left behind: events never acknowledged, requests begun and never recorded. */
export interface RecoveredSpool {
  from: string;
  events: SpooledEvent[];
  /** Requests whose begin was written and whose ledger event was not: the process died holding them. */
  abandoned: { requestId: string; info: Record<string, unknown> }[];
}

export interface SpoolStats {
  segments: number;
  bytes: number;
  unacked: number;
  openRequests: number;
  /** Records not written because the spool was at its bound (`maxBytes`). */
  overflowed: number;
}

interface Segment {
  no: number;
  file: string;
  fd: number;
  bytes: number;
  unacked: Set<string>;
  open: Set<string>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const TAB = 0x09;
const NL = 0x0a;

/**
 * The data plane's durable local buffer: every event is appended to a local journal before it is
 * published, and marked once JetStream acknowledged it; a request's begin is written before its
 * provider call. A process killed at any moment (or NATS away for as long as the bound allows)
 * leaves a journal that the next process of the service adopts on start: it re-publishes what was
 * never acknowledged (the event id is the dedup id, so nothing is stored twice) and records each
 * request begun and never finished as abandoned. Writes of one tick go out in one `write(2)` (the
 * page cache survives a killed process; a machine crash may lose the last moments: no fsync per
 * request). Each process claims `<dir>/<pid>`; a claim whose process is gone is adopted by whoever
 * starts next. Past `maxBytes` nothing more is journalled (counted in `overflowed`, logged by the
 * caller); events still go out from memory.
 */
export class EventSpool {
  private readonly claim: string;
  private segments: Segment[] = [];
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private totalBytes = 0;
  private flushScheduled = false;
  private readonly openBy = new Map<string, Segment>();
  private readonly eventSegment = new Map<string, Segment>();
  private nextNo = 0;
  overflowed = 0;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes: number,
  ) {
    this.claim = join(dir, String(process.pid));
    mkdirSync(this.claim, { recursive: true });
    writeFileSync(join(this.claim, 'owner'), String(process.pid));
    this.rotate();
  }

  /** Claims a directory for this process and adopts (reads, then removes) what dead processes left. */
  static open(dir: string, maxBytes = 256 * 1024 * 1024, segmentBytes = 8 * 1024 * 1024): { spool: EventSpool; recovered: RecoveredSpool[] } {
    mkdirSync(dir, { recursive: true });
    const recovered: RecoveredSpool[] = [];
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (entry === String(process.pid) || !statSync(path).isDirectory() || alive(ownerOf(path))) continue;
      // Renaming is the claim: two processes starting at once cannot both adopt one journal.
      const adopted = `${path}.adopted-${process.pid}`;
      try {
        renameSync(path, adopted);
      } catch {
        continue;
      }
      recovered.push(readJournal(adopted, entry));
    }
    return { spool: new EventSpool(dir, maxBytes, segmentBytes), recovered };
  }

  /** Removes an adopted journal once everything in it was re-published. */
  static discard(dir: string, recovered: RecoveredSpool): void {
    rmSync(join(dir, `${recovered.from}.adopted-${process.pid}`), { recursive: true, force: true });
  }

  recordEvent(ev: SpooledEvent): void {
    const seg = this.current;
    if (!this.append(line('e', [ev.subject, ev.id, ev.correlationId], ev.data))) return;
    seg.unacked.add(ev.id);
    this.eventSegment.set(ev.id, seg);
    // A request's ledger event closes its begin.
    const begun = this.openBy.get(ev.correlationId);
    if (begun) {
      begun.open.delete(ev.correlationId);
      this.openBy.delete(ev.correlationId);
    }
  }

  recordAcked(ids: readonly string[]): void {
    const known = ids.filter((id) => this.eventSegment.has(id));
    if (known.length === 0) return;
    this.append(line('a', [known.join(',')]));
    for (const id of known) {
      this.eventSegment.get(id)?.unacked.delete(id);
      this.eventSegment.delete(id);
    }
    this.dropSettledSegments();
  }

  /** A request is about to reach a provider: if this process dies before its ledger event, it is recorded as abandoned. */
  recordBegin(requestId: string, info: Record<string, unknown>): void {
    if (!this.append(line('b', [requestId], enc.encode(processSecrets.redactJson(JSON.stringify(info)))))) return;
    this.current.open.add(requestId);
    this.openBy.set(requestId, this.current);
  }

  stats(): SpoolStats {
    return { segments: this.segments.length, bytes: this.totalBytes, unacked: this.eventSegment.size, openRequests: this.openBy.size, overflowed: this.overflowed };
  }

  /** Writes what this tick appended (normally after the tick; call it before exiting). */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const seg = this.current;
    writeSync(seg.fd, buf);
    seg.bytes += buf.length;
    if (seg.bytes >= this.segmentBytes) this.rotate();
  }

  close(): void {
    this.flush();
    for (const s of this.segments) closeSync(s.fd);
    // Nothing left to hand over: the claim goes; otherwise the next process adopts it.
    if (this.eventSegment.size === 0 && this.openBy.size === 0) rmSync(this.claim, { recursive: true, force: true });
  }

  private get current(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private append(bytes: Uint8Array): boolean {
    if (this.totalBytes + bytes.length > this.maxBytes) {
      this.overflowed++;
      return false;
    }
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.totalBytes += bytes.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  private rotate(): void {
    const no = this.nextNo++;
    const file = join(this.claim, `${String(no).padStart(6, '0')}.journal`);
    this.segments.push({ no, file, fd: openSync(file, 'a'), bytes: 0, unacked: new Set(), open: new Set() });
    this.dropSettledSegments();
  }

  /** Older segments whose every event is acknowledged and every request finished are deleted. */
  private dropSettledSegments(): void {
    while (this.segments.length > 1 && this.segments[0].unacked.size === 0 && this.segments[0].open.size === 0) {
      const seg = this.segments.shift()!;
      closeSync(seg.fd);
      rmSync(seg.file, { force: true });
      this.totalBytes -= seg.bytes;
    }
  }
}

/** One journal line: a kind, tab-separated fields, then an optional raw JSON text (never holds a tab or newline). */
function line(kind: 'e' | 'a' | 'b', fields: string[], json?: Uint8Array): Uint8Array {
  const head = enc.encode(`${kind}\t${fields.join('\t')}${json ? '\t' : ''}`);
  const out = new Uint8Array(head.length + (json?.length ?? 0) + 1);
  out.set(head, 0);
  if (json) out.set(json, head.length);
  out[out.length - 1] = NL;
  return out;
}

function ownerOf(path: string): number {
  try {
    return Number(readFileSync(join(path, 'owner'), 'utf8')) || 0;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
      if (kind === 0x65 /* e */) {
        const { out, rest } = fields(3);
        const [subject, id, correlationId] = out;
        events.set(id, { subject, id, correlationId, data: Uint8Array.from(rest) });
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
