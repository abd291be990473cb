import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processSecrets } from '@cp/shared/contracts';
import { lineHead, NEWLINE, type RecoveredSpool, readJournal, type SpooledEvent } from './spool-journal';

const enc = new TextEncoder();

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

/**
 * The data plane's durable local buffer: every event is appended to a local journal before it is
 * published, and marked once JetStream acknowledged it; a request's begin is written before its
 * provider call. Acknowledgements are not worth a write of their own: they ride along with the next
 * write of events or begins, or go out within `ackDelayMs` when there is none (a process killed
 * before they are written only makes the next one re-send those events, which JetStream drops as
 * duplicates: same `Nats-Msg-Id`). A process killed at any moment (or NATS away for as long as the bound allows)
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
  /** Events or begins are waiting to be written (acks alone wait for them, or for `ackTimer`). */
  private mustWrite = false;
  private ackTimer: NodeJS.Timeout | undefined;
  /** Closed: a late ack has nowhere to go (the claim is handed over as it is). */
  private closed = false;
  private readonly openBy = new Map<string, Segment>();
  private readonly eventSegment = new Map<string, Segment>();
  private nextNo = 0;
  overflowed = 0;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes: number,
    private readonly ackDelayMs: number,
  ) {
    this.claim = join(dir, String(process.pid));
    mkdirSync(this.claim, { recursive: true });
    writeFileSync(join(this.claim, 'owner'), String(process.pid));
    this.rotate();
  }

  /** Claims a directory for this process and adopts (reads, then removes) what dead processes left. */
  static open(dir: string, maxBytes = 256 * 1024 * 1024, segmentBytes = 8 * 1024 * 1024, ackDelayMs = 1000): { spool: EventSpool; recovered: RecoveredSpool[] } {
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
    return { spool: new EventSpool(dir, maxBytes, segmentBytes, ackDelayMs), recovered };
  }

  /** Removes an adopted journal once everything in it was re-published. */
  static discard(dir: string, recovered: RecoveredSpool): void {
    rmSync(join(dir, `${recovered.from}.adopted-${process.pid}`), { recursive: true, force: true });
  }

  recordEvent(ev: SpooledEvent): void {
    const seg = this.current;
    const head = ev.batch === undefined || ev.batch === ev.id ? lineHead('e', [ev.subject, ev.id, ev.correlationId], true) : lineHead('m', [ev.subject, ev.id, ev.correlationId, ev.batch], true);
    if (!this.append(head, ev.data, true)) return;
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
    this.append(lineHead('a', [known.join(',')], false), undefined, false);
    for (const id of known) {
      this.eventSegment.get(id)?.unacked.delete(id);
      this.eventSegment.delete(id);
    }
    this.dropSettledSegments();
  }

  /** A request is about to reach a provider: if this process dies before its ledger event, it is recorded as abandoned. */
  recordBegin(requestId: string, info: Record<string, unknown>): void {
    if (!this.append(lineHead('b', [requestId], true), enc.encode(processSecrets.redactJson(JSON.stringify(info))), true)) return;
    this.current.open.add(requestId);
    this.openBy.set(requestId, this.current);
  }

  stats(): SpoolStats {
    return { segments: this.segments.length, bytes: this.totalBytes, unacked: this.eventSegment.size, openRequests: this.openBy.size, overflowed: this.overflowed };
  }

  /** Writes pending events and begins, with the acks waiting for them; nothing when only acks wait (before a publish: write-ahead). */
  flushRecords(): void {
    if (this.mustWrite) this.flush();
  }

  /** Writes everything appended so far, acks included (normally after the tick; call it before exiting). */
  flush(): void {
    this.flushScheduled = false;
    this.mustWrite = false;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
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
    this.closed = true;
    for (const s of this.segments) closeSync(s.fd);
    // Nothing left to hand over: the claim goes; otherwise the next process adopts it.
    if (this.eventSegment.size === 0 && this.openBy.size === 0) rmSync(this.claim, { recursive: true, force: true });
  }

  private get current(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /**
   * Queues one record (its head, its JSON text, a newline); an event or begin (`urgent`) is written
   * after this tick, an ack with the next write. The JSON text is queued as it is, not copied into
   * the record: the write joins the parts once.
   */
  private append(head: Uint8Array, json: Uint8Array | undefined, urgent: boolean): boolean {
    if (this.closed) return false;
    const bytes = head.length + (json?.length ?? 0) + 1;
    if (this.totalBytes + bytes > this.maxBytes) {
      this.overflowed++;
      return false;
    }
    this.pending.push(head);
    if (json) this.pending.push(json);
    this.pending.push(NEWLINE);
    this.pendingBytes += bytes;
    this.totalBytes += bytes;
    if (urgent) {
      this.mustWrite = true;
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    } else if (!this.flushScheduled && !this.ackTimer) {
      this.ackTimer = setTimeout(() => this.flush(), this.ackDelayMs);
      this.ackTimer.unref();
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
