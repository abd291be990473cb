import { AuditReplay, type EventDefinition, type PayloadOf } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';

/**
 * Rebuilds a replica's in-memory state from the newest stored event of each stream of one type,
 * asked of the auditor (the event store's only reader). `start` waits at most `waitMs`; if the
 * auditor is not there yet, it keeps trying in the background (1 s, doubling up to 30 s), so a
 * replica never blocks on it. `apply` returns whether it used the payload; payloads that no longer
 * match the schema are skipped.
 */
export class StoreRestore<D extends EventDefinition> {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly rt: Pick<ServiceRuntime, 'bus' | 'logger'>,
    private readonly event: D,
    private readonly apply: (payload: PayloadOf<D>) => boolean,
    /** What is restored, for the logs: "breakers", "capability probes". */
    private readonly what: string,
    private readonly summary: () => Record<string, unknown> = () => ({}),
  ) {}

  async start(waitMs = 3000): Promise<boolean> {
    const restored = await this.once(waitMs);
    if (!restored) this.retry(1000);
    return restored;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async once(timeoutMs: number): Promise<boolean> {
    try {
      const { events } = await this.rt.bus.request(AuditReplay, { type: this.event.type, latestPerStream: true }, timeoutMs);
      let applied = 0;
      for (const e of events) {
        const payload = this.event.schema.safeParse(e.payload);
        if (payload.success && this.apply(payload.data as PayloadOf<D>)) applied++;
      }
      this.rt.logger.info({ [this.what]: applied, ...this.summary() }, `${this.what} restored from the event store`);
      return true;
    } catch (err) {
      this.rt.logger.warn({ err: err instanceof Error ? err.message : String(err) }, `${this.what} restore from the event store failed; retrying in the background`);
      return false;
    }
  }

  private retry(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.once(3000).then((ok) => ok || this.retry(Math.min(delayMs * 2, 30_000)));
    }, delayMs);
  }
}
