
export interface PendingEvent {
  subject: string;
  id: string;
  data: Uint8Array;
  traceparent: string | null;
  attempts: number;
}

export interface PublisherStats {
  published: number;
  acked: number;
  retried: number;
  dropped: number;
  inFlight: number;
  buffered: number;
}

/**
 * Publishes events to JetStream without making the caller wait for the ack. A failed publish
 * goes to a bounded local buffer and is retried with backoff; JetStream's duplicate window
 * (`Nats-Msg-Id` = event id) makes a retry of an event that did land harmless.
 */
export class EventPublisher {
  private readonly buffer: PendingEvent[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  readonly stats: PublisherStats = { published: 0, acked: 0, retried: 0, dropped: 0, inFlight: 0, buffered: 0 };

  constructor(
    /** Publishes one event to JetStream and resolves on its ack (rejects on a refusal or no ack). */
    private readonly publishAcked: (ev: PendingEvent) => Promise<void>,
    private readonly onError: (err: unknown, ev: PendingEvent) => void,
    private readonly maxBuffered = 10_000,
  ) {}

  publish(ev: PendingEvent): void {
    this.stats.published++;
    this.send(ev);
  }

  private send(ev: PendingEvent): void {
    this.inFlight++;
    this.publishAcked(ev)
      .then(
        () => {
          this.stats.acked++;
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
    if (this.buffer.length >= this.maxBuffered) {
      this.stats.dropped++;
      this.onError(new Error(`event buffer full (${this.maxBuffered}); dropping event ${ev.id}`), ev);
      return;
    }
    this.buffer.push(ev);
    this.scheduleRetry(Math.min(5000, 100 * 2 ** Math.min(ev.attempts, 6)));
  }

  private scheduleRetry(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const batch = this.buffer.splice(0, this.buffer.length);
      this.stats.retried += batch.length;
      for (const ev of batch) this.send(ev);
    }, delayMs);
    this.timer.unref();
  }

  private notifyIdle(): void {
    if (this.inFlight === 0 && this.buffer.length === 0) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  /** Resolves when every published event is acked, or after `timeoutMs`; returns how many are still pending. */
  async flush(timeoutMs: number): Promise<number> {
    if (this.buffer.length > 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.scheduleRetry(0);
    }
    if (this.inFlight > 0 || this.buffer.length > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.idleWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.inFlight + this.buffer.length;
  }

  snapshot(): PublisherStats {
    return { ...this.stats, inFlight: this.inFlight, buffered: this.buffer.length };
  }
}
