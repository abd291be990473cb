import { AuditStatus } from '@cp/shared/contracts';
import type { NatsBus } from '@cp/shared/messaging';

/**
 * The auditor's lag as `/metrics` shows it: asked over NATS at scrape time with a short deadline,
 * and kept for a few seconds so frequent scrapes (or many callers) cost one request.
 */
export class AuditorLag {
  private cached: { at: number; lag: number | null } | null = null;
  private inFlight?: Promise<number | null>;

  constructor(
    private readonly bus: NatsBus,
    private readonly maxAgeMs = 5_000,
    private readonly timeoutMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<number | null> {
    if (this.cached && this.now() - this.cached.at < this.maxAgeMs) return Promise.resolve(this.cached.lag);
    this.inFlight ??= this.bus
      .request(AuditStatus, {}, this.timeoutMs)
      .then((s) => s.lag, () => null)
      .then((lag) => {
        this.cached = { at: this.now(), lag };
        this.inFlight = undefined;
        return lag;
      });
    return this.inFlight;
  }
}
