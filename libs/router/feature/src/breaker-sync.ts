import type { Subscription } from '@nats-io/transport-node';
import { AuditReplay, BreakerTransitioned, EventEnvelope, type PayloadOf } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { BreakerTransitionSchema, type BreakerBook, type BreakerTransition } from '@cp/router/domain';

type Published = PayloadOf<typeof BreakerTransitioned>;

const dec = new TextDecoder();

/**
 * Keeps this replica's breakers in step with the rest of the deployment, with no hop on the request
 * path: it publishes local transitions (tagged with the replica id), applies the ones other
 * replicas publish as they happen, and on start rebuilds every breaker from the newest stored
 * transition of each (asked of the auditor, the event store's reader). A stale transition never
 * overrides a newer one (see `evolveBreaker`), so the order of live and replayed ones is free.
 */
export class BreakerSync {
  private sub?: Subscription;
  private restoreTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly rt: ServiceRuntime,
    private readonly breakers: BreakerBook,
    readonly replicaId: string,
  ) {}

  /** Publishes one local transition. */
  publish(t: BreakerTransition): void {
    const payload: Published = { ...t, origin: this.replicaId };
    this.rt.bus.publish(BreakerTransitioned, payload, { streamId: `breaker:${t.key}`, correlationId: t.key });
  }

  /**
   * Subscribes to live transitions, then restores from the store. Waits at most `waitMs` for the
   * restore; if the auditor is not there yet, it keeps trying in the background.
   */
  async start(waitMs = 3000): Promise<void> {
    this.sub = this.rt.bus.nc.subscribe(this.rt.bus.subject(BreakerTransitioned.subject), { callback: (err, msg) => void (err ? undefined : this.onLive(msg.data)) });
    const restored = await this.restore(waitMs);
    if (!restored) this.retryRestore(1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restoreTimer);
    this.sub?.unsubscribe();
  }

  private onLive(data: Uint8Array): void {
    let envelope;
    try {
      envelope = EventEnvelope.parse(JSON.parse(dec.decode(data)));
    } catch {
      return;
    }
    const payload = BreakerTransitioned.schema.safeParse(envelope.payload);
    if (!payload.success || payload.data.origin === this.replicaId) return;
    this.apply(payload.data, 'live');
  }

  private async restore(timeoutMs: number): Promise<boolean> {
    try {
      const { events } = await this.rt.bus.request(AuditReplay, { type: BreakerTransitioned.type, latestPerStream: true }, timeoutMs);
      let applied = 0;
      for (const e of events) {
        const payload = BreakerTransitioned.schema.safeParse(e.payload);
        if (payload.success) applied += this.apply(payload.data, 'store') ? 1 : 0;
      }
      this.rt.logger.info({ breakers: applied, open: this.breakers.snapshot().filter((b) => b.state !== 'closed').map((b) => b.key) }, 'breakers restored from the event store');
      return true;
    } catch (err) {
      this.rt.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'breaker restore from the event store failed; retrying in the background');
      return false;
    }
  }

  private retryRestore(delayMs: number): void {
    if (this.stopped) return;
    this.restoreTimer = setTimeout(() => {
      void this.restore(3000).then((ok) => ok || this.retryRestore(Math.min(delayMs * 2, 30_000)));
    }, delayMs);
  }

  private apply(published: Published, from: 'live' | 'store'): boolean {
    const { origin: _origin, ...rest } = published;
    const transition = BreakerTransitionSchema.safeParse(rest);
    if (!transition.success) return false;
    this.breakers.apply(transition.data);
    if (from === 'live') this.rt.logger.info({ breaker: transition.data.key, transition: transition.data.type }, 'breaker transition from another replica');
    return true;
  }
}
