import type { Subscription } from '@nats-io/transport-node';
import { BreakerTransitioned, EventEnvelope, type PayloadOf } from '@cp/shared/contracts';
import { eventsOf } from '@cp/shared/messaging';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { BreakerTransitionSchema, type BreakerBook, type BreakerTransition } from '@cp/router/domain';
import { StoreRestore } from './store-restore';

export type PublishedTransition = PayloadOf<typeof BreakerTransitioned>;
type Published = PublishedTransition;

/**
 * Keeps this replica's breakers in step with the rest of the deployment, with no hop on the request
 * path: it publishes local transitions (tagged with the replica id), applies the ones other
 * replicas publish as they happen, and on start rebuilds every breaker from the newest stored
 * transition of each (asked of the auditor, the event store's reader). A stale transition never
 * overrides a newer one (see `evolveBreaker`), so the order of live and replayed ones is free.
 * Gateway replicas (the data plane) publish and apply; the router only applies, to show every
 * model's breaker in the compatibility matrix.
 */
export class BreakerSync {
  private sub?: Subscription;
  /** Live messages that were not breaker transitions: logged with the reason and skipped (the auditor parks them). */
  poison = 0;
  private readonly restore: StoreRestore<typeof BreakerTransitioned>;

  constructor(
    private readonly rt: Pick<ServiceRuntime, 'bus' | 'logger'>,
    private readonly breakers: BreakerBook,
    readonly replicaId: string,
    /** Told of every live transition of another replica, with its `origin` (the router frees probe leases with it). */
    private readonly onLiveTransition?: (t: Published) => void,
  ) {
    // A stored misconfigured mark is not restored: the operator may have restarted with a fixed key,
    // and if not, the provider's first answer marks it again at the cost of one failed call.
    this.restore = new StoreRestore(rt, BreakerTransitioned, (p) => !p.misconfigured && this.apply(p, 'store'), 'breakers', () => ({
      open: this.breakers.snapshot().filter((b) => b.state !== 'closed').map((b) => b.key),
    }));
  }

  /** Publishes one local transition, promptly (not after the events' linger): other replicas converge on it. */
  publish(t: BreakerTransition): void {
    const payload: Published = { ...t, origin: this.replicaId };
    this.rt.bus.publish(BreakerTransitioned, payload, { streamId: `breaker:${t.key}`, correlationId: t.key, prompt: true });
  }

  /**
   * Subscribes to live transitions, then restores from the store. Waits at most `waitMs` for the
   * restore; if the auditor is not there yet, it keeps trying in the background.
   */
  async start(waitMs = 3000): Promise<void> {
    this.sub = this.rt.bus.nc.subscribe(this.rt.bus.subject(BreakerTransitioned.subject), { callback: (err, msg) => void (err ? undefined : this.onLive(msg.data)) });
    await this.restore.start(waitMs);
  }

  stop(): void {
    this.restore.stop();
    this.sub?.unsubscribe();
  }

  /** One message may carry several transitions (a batch, see `eventsOf`). */
  private onLive(data: Uint8Array): void {
    const entries = eventsOf(data);
    if (entries.length === 0) return this.skip('not JSON');
    for (const entry of entries) {
      const envelope = EventEnvelope.safeParse(entry);
      if (!envelope.success) {
        this.skip('not an event envelope');
        continue;
      }
      const payload = BreakerTransitioned.schema.safeParse(envelope.data.payload);
      if (!payload.success) this.skip(`not a breaker transition: ${payload.error.issues[0]?.message ?? 'invalid'}`);
      else if (payload.data.origin !== this.replicaId && this.apply(payload.data, 'live')) this.onLiveTransition?.(payload.data);
    }
  }

  private skip(reason: string): void {
    this.poison++;
    this.rt.logger.warn({ reason, poison: this.poison }, 'skipped a live breaker message it cannot use');
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
