import type { Subscription } from '@nats-io/transport-node';
import { EventEnvelope, type EventDefinition } from '@cp/shared/contracts';
import type { z } from 'zod';
import { eventsOf } from './event-batch';
import type { NatsBus } from './nats-bus';
import type { Logger } from '@cp/shared/telemetry';

/** A configuration document its owner publishes as an event: a version and its YAML. */
export type PublishedDocument = EventDefinition<string, z.ZodType<{ version: string; yaml: string }>>;

export interface VersionFollowerOptions<V extends { version: string }> {
  /** The owner's publication event (`router.registry-published`, `tool-governor.policy-published`). */
  event: PublishedDocument;
  /** What the document is, for the log ("provider registry", "tool policy"). */
  what: string;
  /** Validates a published document again here; throws with the reason when it is unusable. */
  parse: (yaml: string) => V;
  apply: (version: V) => void;
}

/**
 * A data-plane replica's side of configuration distribution: every version the owner publishes is
 * validated here again and, when it is new, handed to `apply` (no restart, no hop on the request
 * path). A version that fails here is logged and skipped: the last good one stays, and when the owner
 * is down nothing changes.
 */
export class VersionFollower<V extends { version: string }> {
  private sub?: Subscription;
  skipped = 0;

  constructor(
    private readonly rt: { bus: NatsBus; logger: Logger },
    private current: string,
    private readonly opts: VersionFollowerOptions<V>,
  ) {}

  get version(): string {
    return this.current;
  }

  start(): void {
    this.sub = this.rt.bus.nc.subscribe(this.rt.bus.subject(this.opts.event.subject), { callback: (err, msg) => void (err ? undefined : this.onMessage(msg.data)) });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  private onMessage(data: Uint8Array): void {
    for (const entry of eventsOf(data)) {
      const envelope = EventEnvelope.safeParse(entry);
      const payload = envelope.success ? this.opts.event.schema.safeParse(envelope.data.payload) : undefined;
      if (!payload?.success) {
        this.skip(`not a ${this.opts.event.type} event`);
        continue;
      }
      if (payload.data.version === this.current) continue;
      let next: V;
      try {
        next = this.opts.parse(payload.data.yaml);
      } catch (err) {
        this.skip(err instanceof Error ? err.message : String(err));
        continue;
      }
      this.opts.apply(next);
      this.rt.logger.info({ from: this.current, to: next.version }, `${this.opts.what} version applied`);
      this.current = next.version;
    }
  }

  private skip(reason: string): void {
    this.skipped++;
    this.rt.logger.warn({ reason: reason.slice(0, 300), kept: this.current }, `skipped a published ${this.opts.what}; keeping the last good one`);
  }
}
