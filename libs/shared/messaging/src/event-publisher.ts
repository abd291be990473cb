
import { BusRequestError } from './errors';
import { encodeEventBatch } from './event-batch';
import type { EventSpool } from './event-spool';
import type { SpooledEvent } from './spool-journal';

/** One JetStream message to publish: a single event, or a batch of events of one subject. */
export interface PendingEvent {
  subject: string;
  /** `Nats-Msg-Id`: the id of the (first) event it carries. */
  id: string;
  data: Uint8Array;
  traceparent: string | null;
  attempts: number;
  /** How many events the message carries. */
  count: number;
  /** The ids of the events it carries. */
  ids: string[];
  /** The request (or other correlation) of a single event; what closes a journalled begin. */
  correlationId?: string;
}

/** The most events, and bytes, one batch message carries (NATS' default max payload is 1 MiB). */
const MAX_BATCH_EVENTS = 256;
const MAX_BATCH_BYTES = 512 * 1024;

export interface PublisherStats {
  published: number;
  acked: number;
  retried: number;
  dropped: number;
  inFlight: number;
  buffered: number;
}

/** Consecutive events of one subject that will travel as one message, whose id is its first event's. */
interface Run {
  subject: string;
  key: string;
  events: PendingEvent[];
  bytes: number;
  /** Recovered from a dead process's journal: goes out as it was, nothing joins it. */
  sealed: boolean;
}

/**
 * Publishes events to JetStream without making the caller wait for the ack. Events wait
 * `lingerMs` (0: until the end of the tick, `setImmediate`) and then go out together: consecutive
 * events of one subject as one batch message (see `event-batch.ts`), so under load many requests
 * share a message and its ack. An event published `prompt` (a breaker transition) goes out at the
 * end of its tick, taking the lingering ones with it; an RPC reply sends them first (`sendPending`).
 * Which message an event travels in is decided when it is published and journalled with it, and
 * the journal is written before anything is sent: a crash during the linger leaves every event in
 * the journal, and a re-send after a crash rebuilds the same messages with the same ids.
 * A failed publish goes to a bounded local buffer and is retried with backoff; JetStream's
 * duplicate window (`Nats-Msg-Id`) makes a retry of a message that did land harmless.
 * Stats count events, not messages.
 */
export class EventPublisher {
  private runs: Run[] = [];
  private tickTimer: NodeJS.Immediate | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private readonly buffer: PendingEvent[] = [];
  private bufferedEvents = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  readonly stats: PublisherStats = { published: 0, acked: 0, retried: 0, dropped: 0, inFlight: 0, buffered: 0 };
  /** The durable local journal (see `EventSpool`); without it, events wait in memory only. */
  spool?: EventSpool;

  constructor(
    /** Publishes one event to JetStream and resolves on its ack (rejects on a refusal or no ack). */
    private readonly publishAcked: (ev: PendingEvent) => Promise<void>,
    private readonly onError: (err: unknown, ev: PendingEvent) => void,
    private readonly maxBuffered = 10_000,
    /** How long an event waits for others to share its message (0: the end of its tick). */
    private readonly lingerMs = 0,
  ) {}

  /** Publishes one event (`count` 1); `prompt` sends it at the end of this tick, whatever the linger. */
  publish(ev: PendingEvent, prompt = false): void {
    this.stats.published += ev.count;
    const run = this.runFor(ev);
    run.events.push(ev);
    run.bytes += ev.data.length + 1;
    this.spool?.recordEvent({ subject: ev.subject, id: ev.id, correlationId: ev.correlationId ?? '', data: ev.data, batch: run.key });
    this.schedule(prompt);
  }

  /** Re-publishes what a dead process journalled and never got acknowledged: each message as it was (same events, same id). */
  publishRecovered(events: readonly SpooledEvent[]): void {
    const groups = new Map<string, SpooledEvent[]>();
    for (const ev of events) {
      const key = ev.batch ?? ev.id;
      const group = groups.get(key);
      if (group) group.push(ev);
      else groups.set(key, [ev]);
    }
    for (const [key, group] of groups) {
      const run: Run = { subject: group[0].subject, key, events: [], bytes: 0, sealed: true };
      for (const ev of group) {
        this.stats.published++;
        run.events.push({ subject: ev.subject, id: ev.id, ids: [ev.id], correlationId: ev.correlationId, data: ev.data, traceparent: null, attempts: 0, count: 1 });
        this.spool?.recordEvent({ ...ev, batch: key });
      }
      this.runs.push(run);
    }
    if (groups.size > 0) this.schedule(false);
  }

  /** Sends every waiting event now (before an RPC reply, on flush), once the journal holds them. */
  sendPending(): void {
    if (this.tickTimer) clearImmediate(this.tickTimer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.tickTimer = undefined;
    this.lingerTimer = undefined;
    if (this.runs.length === 0) return;
    // Write-ahead: nothing reaches JetStream before the journal holds it.
    this.spool?.flushRecords();
    const runs = this.runs;
    this.runs = [];
    for (const run of runs) this.send(messageOf(run));
  }

  /** The open run this event joins, or a new one it starts. */
  private runFor(ev: PendingEvent): Run {
    const last = this.runs[this.runs.length - 1];
    if (last && !last.sealed && last.subject === ev.subject && last.events.length < MAX_BATCH_EVENTS && last.bytes + ev.data.length <= MAX_BATCH_BYTES) return last;
    const run: Run = { subject: ev.subject, key: ev.id, events: [], bytes: 0, sealed: false };
    this.runs.push(run);
    return run;
  }

  private schedule(prompt: boolean): void {
    if (prompt || this.lingerMs <= 0) {
      this.tickTimer ??= setImmediate(() => this.sendPending());
      return;
    }
    this.lingerTimer ??= setTimeout(() => this.sendPending(), this.lingerMs);
  }

  private send(ev: PendingEvent): void {
    this.inFlight++;
    this.publishAcked(ev)
      .then(
        () => {
          this.stats.acked += ev.count;
          this.spool?.recordAcked(ev.ids);
        },
        (err: unknown) => this.keepForRetry(err, ev),
      )
      .finally(() => {
        this.inFlight--;
        this.notifyIdle();
      });
  }

  private keepForRetry(err: unknown, ev: PendingEvent): void {
    ev.attempts++;
    if (ev.attempts === 1) this.onError(err, ev);
    if (isPermanent(err)) {
      this.stats.dropped += ev.count;
      // Never publishable: not resurrected from the journal by the next process either.
      this.spool?.recordAcked(ev.ids);
      this.onError(new Error(`dropping ${ev.count} event(s) ${ev.id}: ${err instanceof Error ? err.message : String(err)}`), ev);
      return;
    }
    if (this.bufferedEvents + ev.count > this.maxBuffered) {
      this.stats.dropped += ev.count;
      this.onError(new Error(`event buffer full (${this.maxBuffered} events); dropping ${ev.count} event(s) ${ev.id}`), ev);
      return;
    }
    this.buffer.push(ev);
    this.bufferedEvents += ev.count;
    this.scheduleRetry(Math.min(5000, 100 * 2 ** Math.min(ev.attempts, 6)));
  }

  private scheduleRetry(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const batch = this.buffer.splice(0, this.buffer.length);
      this.bufferedEvents = 0;
      this.stats.retried += batch.reduce((n, ev) => n + ev.count, 0);
      for (const ev of batch) this.send(ev);
    }, delayMs);
    this.timer.unref();
  }

  private notifyIdle(): void {
    if (this.inFlight === 0 && this.buffer.length === 0 && this.runs.length === 0) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  /** Resolves when every published event is acked, or after `timeoutMs`; returns how many are still pending. */
  async flush(timeoutMs: number): Promise<number> {
    this.sendPending();
    if (this.buffer.length > 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.scheduleRetry(0);
    }
    if (this.inFlight > 0 || this.buffer.length > 0) {
      await new Promise<void>((resolve) => {
        const waiter = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
          resolve();
        }, timeoutMs);
        this.idleWaiters.push(waiter);
      });
    }
    return this.inFlight + this.buffer.length;
  }

  snapshot(): PublisherStats {
    return { ...this.stats, inFlight: this.inFlight, buffered: this.buffer.length };
  }
}

/** The message a run travels in: its one event as it is, or a batch under the run's key (a recovered run keeps the key it had). */
function messageOf(run: Run): PendingEvent {
  const events = run.events;
  if (events.length === 1 && run.key === events[0].id) return events[0];
  return {
    subject: run.subject,
    id: run.key,
    data: events.length === 1 ? events[0].data : encodeEventBatch(events.map((e) => e.data)),
    traceparent: events.length === 1 ? events[0].traceparent : null,
    attempts: 0,
    count: events.length,
    ids: events.map((e) => e.id),
  };
}

/** A message the server can never take (larger than its max payload): retrying would not help. */
function isPermanent(err: unknown): boolean {
  return err instanceof BusRequestError && err.code === 'BUS.TOO_LARGE';
}
