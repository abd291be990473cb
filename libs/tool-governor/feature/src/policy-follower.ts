import type { Subscription } from '@nats-io/transport-node';
import { EventEnvelope, ToolPolicyPublished } from '@cp/shared/contracts';
import { eventsOf } from '@cp/shared/messaging';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { parseToolPolicy, type ToolPolicyVersion } from '@cp/tool-governor/domain';

/**
 * A gateway's side of policy distribution: every version tool-governor publishes is validated here
 * again and, when new, handed to `apply`. A version that fails is logged and skipped; the last good
 * one stays. When tool-governor is down nothing changes: the local copy keeps being enforced.
 */
export class PolicyFollower {
  private sub?: Subscription;
  skipped = 0;

  constructor(
    private readonly rt: Pick<ServiceRuntime, 'bus' | 'logger'>,
    private current: string,
    private readonly apply: (v: ToolPolicyVersion) => void,
  ) {}

  get version(): string {
    return this.current;
  }

  start(): void {
    this.sub = this.rt.bus.nc.subscribe(this.rt.bus.subject(ToolPolicyPublished.subject), { callback: (err, msg) => void (err ? undefined : this.onMessage(msg.data)) });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  private onMessage(data: Uint8Array): void {
    for (const entry of eventsOf(data)) {
      const envelope = EventEnvelope.safeParse(entry);
      const payload = envelope.success ? ToolPolicyPublished.schema.safeParse(envelope.data.payload) : undefined;
      if (!payload?.success) {
        this.skip('not a policy-published event');
        continue;
      }
      if (payload.data.version === this.current) continue;
      let next: ToolPolicyVersion;
      try {
        next = parseToolPolicy(payload.data.yaml);
      } catch (err) {
        this.skip(err instanceof Error ? err.message : String(err));
        continue;
      }
      this.apply(next);
      this.rt.logger.info({ from: this.current, to: next.version }, 'tool policy version applied');
      this.current = next.version;
    }
  }

  private skip(reason: string): void {
    this.skipped++;
    this.rt.logger.warn({ reason: reason.slice(0, 300), kept: this.current }, 'skipped a published tool policy; keeping the last good one');
  }
}
