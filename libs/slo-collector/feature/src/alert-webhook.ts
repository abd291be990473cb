import type { Logger } from '@cp/shared/telemetry';

export interface WebhookOptions {
  url: string;
  /** Tries per alert (default 6), with exponential backoff from `baseDelayMs` (500) up to 8 s, plus jitter. */
  attempts?: number;
  baseDelayMs?: number;
  /** One try may take this long (default 5 s); the whole delivery at most `deadlineMs` (default 60 s). */
  attemptTimeoutMs?: number;
  deadlineMs?: number;
}

/** What goes out: the event type and its payload. */
export interface WebhookMessage {
  type: string;
  payload: unknown;
}

const QUEUE_LIMIT = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a failed answer is worth another try: server errors, 408 and 429; other 4xx never change. */
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * Delivers alerts to `CP_ALERT_WEBHOOK_URL` one after another (a resolve never overtakes its
 * raise), each with a bounded number of tries, a timeout per try and a deadline per alert. The
 * queue is bounded: past 1000 waiting alerts the oldest is dropped and counted. The URL may carry a
 * token, so it is never logged.
 */
export class AlertWebhook {
  private queue: WebhookMessage[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  readonly stats = { delivered: 0, failed: 0, dropped: 0, attempts: 0 };

  constructor(
    private readonly opts: WebhookOptions,
    private readonly logger: Logger,
  ) {}

  send(message: WebhookMessage): void {
    if (this.stopped) return;
    this.queue.push(message);
    if (this.queue.length > QUEUE_LIMIT) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  private async drain(): Promise<void> {
    for (let m = this.queue.shift(); m && !this.stopped; m = this.queue.shift()) await this.deliver(m);
  }

  private async deliver(m: WebhookMessage): Promise<void> {
    const attempts = this.opts.attempts ?? 6;
    const deadline = Date.now() + (this.opts.deadlineMs ?? 60_000);
    const body = JSON.stringify({ type: m.type, ...(m.payload as object) });
    let last = '';
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      this.stats.attempts++;
      try {
        const res = await fetch(this.opts.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(Math.min(this.opts.attemptTimeoutMs ?? 5000, left)) });
        await res.body?.cancel().catch(() => undefined);
        if (res.ok) {
          this.stats.delivered++;
          return;
        }
        last = `HTTP ${res.status}`;
        if (!retryable(res.status)) break;
      } catch (err) {
        last = err instanceof Error ? err.name : 'error';
      }
      const backoff = Math.min(8000, (this.opts.baseDelayMs ?? 500) * 2 ** (attempt - 1));
      await sleep(Math.min(backoff / 2 + Math.random() * (backoff / 2), Math.max(0, deadline - Date.now())));
    }
    this.stats.failed++;
    this.logger.error({ type: m.type, last }, 'alert webhook delivery failed; giving up on this alert');
  }

  /** Gives the queue a moment to finish (bounded), then stops. */
  async stop(waitMs = 2000): Promise<void> {
    if (this.running) await Promise.race([this.running, sleep(waitMs)]);
    this.stopped = true;
  }
}
