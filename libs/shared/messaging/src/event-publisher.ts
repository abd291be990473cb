
import { BusRequestError } from './errors';
import { encodeEventBatch } from './event-batch';
import type { EventSpool } from './event-spool';

/** One JetStream message to publish: a single event, or a batch of events of one subject. */
export interface PendingEvent {
  subject: string;
  /** `Nats-Msg-Id`: the event id, or for a batch `batch:<first event id>+<others>`. */
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

/**
 * Publishes events to JetStream without making the caller wait for the ack. The events published
 * in one tick go out together after it (`setImmediate`): consecutive events of one subject as one
 * batch message (see `event-batch.ts`), so under load many requests share a message and its ack.
 * A failed publish goes to a bounded local buffer and is retried with backoff; JetStream's
 * duplicate window (`Nats-Msg-Id`) makes a retry of a message that did land harmless.
 * Stats count events, not messages.
 */
export class EventPublisher {
  private tick: PendingEvent[] = [];
  private tickTimer: NodeJS.Immediate | undefined;
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
  ) {}

  publish(ev: PendingEvent): void {
    this.stats.published += ev.count;
    if (this.spool && ev.count === 1) this.spool.recordEvent({ subject: ev.subject, id: ev.id, correlationId: ev.correlationId ?? '', data: ev.data });
    this.tick.push(ev);
    this.tickTimer ??= setImmediate(() => this.sendPending());
  }

  /** Sends what this tick published now instead of after it (before an RPC reply, on flush). */
  sendPending(): void {
    if (this.tick.length === 0) return;
    if (this.tickTimer) clearImmediate(this.tickTimer);
    this.tickTimer = undefined;
    const events = this.tick;
    this.tick = [];
    let run: PendingEvent[] = [];
    let bytes = 0;
    const sendRun = () => {
      if (run.length > 0) this.send(run.length === 1 ? run[0] : batchOf(run));
      run = [];
      bytes = 0;
    };
    for (const ev of events) {
      if (run.length > 0 && (run[0].subject !== ev.subject || run.length >= MAX_BATCH_EVENTS || bytes + ev.data.length > MAX_BATCH_BYTES)) sendRun();
      run.push(ev);
      bytes += ev.data.length + 1;
    }
    sendRun();
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
    if (this.inFlight === 0 && this.buffer.length === 0 && this.tick.length === 0) {
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

function batchOf(events: PendingEvent[]): PendingEvent {
  return {
    subject: events[0].subject,
    id: `batch:${events[0].id}+${events.length - 1}`,
    data: encodeEventBatch(events.map((e) => e.data)),
    traceparent: null,
    attempts: 0,
    count: events.reduce((n, e) => n + e.count, 0),
    ids: events.flatMap((e) => e.ids),
  };
}

/** A message the server can never take (larger than its max payload): retrying would not help. */
function isPermanent(err: unknown): boolean {
  return err instanceof BusRequestError && err.code === 'BUS.TOO_LARGE';
}
