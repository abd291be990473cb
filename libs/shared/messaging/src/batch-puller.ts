import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@cp/shared/telemetry';

export interface BatchPullerOptions {
  /** The consumer's name, for the log. */
  name: string;
  /** How long to wait after a pull that emptied the consumer. */
  intervalMs: number;
  /** Messages per pull. */
  maxBatch: number;
}

/** A pull that asked for messages the stream no longer holds (trimmed meanwhile) ends after this. */
const FETCH_EXPIRES_MS = 5_000;
const STOP_WAIT_MS = 1_000;

/**
 * Reads a durable pull consumer in batches: every `intervalMs` it asks how many messages wait and
 * fetches exactly those (at most `maxBatch`, then at once again). The process wakes once per interval
 * instead of once per message: a read model or a store writer a fraction of a second behind is as
 * good, and on a busy machine the per-message wake-ups cost more CPU than the messages themselves
 * (docs/performance.md, "Read models pulled in batches"). A failed pull is logged and tried again at
 * the next interval; `handle` runs for each message in stream order.
 */
export class BatchPuller {
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  pulls = 0;

  constructor(
    private readonly consumer: Consumer,
    private readonly logger: Logger,
    private readonly opts: BatchPullerOptions,
    private readonly handle: (m: JsMsg) => void | Promise<void>,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let full = false;
      try {
        const { num_pending: waiting } = await this.consumer.info();
        if (waiting > 0 && !this.stopping) {
          this.pulls++;
          const batch = await this.consumer.fetch({ max_messages: Math.min(waiting, this.opts.maxBatch), expires: FETCH_EXPIRES_MS });
          for await (const m of batch) await this.handle(m);
          full = waiting > this.opts.maxBatch;
        }
      } catch (err) {
        if (this.stopping) return;
        this.logger.warn({ consumer: this.opts.name, err: err instanceof Error ? err.message : String(err) }, 'pull failed; trying again at the next interval');
      }
      if (!full) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, this.opts.intervalMs);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /**
   * Ends the loop; waits at most `STOP_WAIT_MS` for a pull under way (a message it still delivers is
   * handled, or, if it comes later, left unacknowledged for JetStream to redeliver).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop?.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
