import type { Subscription } from '@nats-io/transport-node';
import { EventEnvelope, RegistryPublished } from '@cp/shared/contracts';
import { eventsOf } from '@cp/shared/messaging';
import type { ServiceRuntime } from '@cp/shared/runtime';
import type { ProviderPlaneConfig } from './registry-loader';
import { validateRegistry, type RegistryVersion } from './registry-versions';

/**
 * A data-plane replica's side of registry distribution: every version the router publishes is
 * validated here again and, when it is new, handed to `apply` (the pipeline swaps it in; breakers
 * keep their state). A version that fails here is logged and skipped: the last good one stays.
 * No restart, no hop on the request path.
 */
export class RegistryFollower {
  private sub?: Subscription;
  skipped = 0;

  constructor(
    private readonly rt: ServiceRuntime,
    private readonly config: ProviderPlaneConfig,
    private current: string,
    private readonly apply: (v: RegistryVersion) => void,
  ) {}

  get version(): string {
    return this.current;
  }

  start(): void {
    this.sub = this.rt.bus.nc.subscribe(this.rt.bus.subject(RegistryPublished.subject), { callback: (err, msg) => void (err ? undefined : this.onMessage(msg.data)) });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  private onMessage(data: Uint8Array): void {
    for (const entry of eventsOf(data)) {
      const envelope = EventEnvelope.safeParse(entry);
      const payload = envelope.success ? RegistryPublished.schema.safeParse(envelope.data.payload) : undefined;
      if (!payload?.success) {
        this.skip('not a registry-published event');
        continue;
      }
      if (payload.data.version === this.current) continue;
      let next: RegistryVersion;
      try {
        next = validateRegistry(payload.data.yaml, this.config);
      } catch (err) {
        this.skip(err instanceof Error ? err.message : String(err));
        continue;
      }
      this.apply(next);
      this.rt.logger.info({ from: this.current, to: next.version }, 'provider registry version applied');
      this.current = next.version;
    }
  }

  private skip(reason: string): void {
    this.skipped++;
    this.rt.logger.warn({ reason: reason.slice(0, 300), kept: this.current }, 'skipped a published registry; keeping the last good one');
  }
}
