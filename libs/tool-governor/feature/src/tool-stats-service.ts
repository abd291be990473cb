import type { Subscription } from '@nats-io/transport-node';
import { AuditReplay, EventEnvelope, RequestCompleted, ToolGovernorStats, type ToolStatsReply } from '@cp/shared/contracts';
import { eventsOf } from '@cp/shared/messaging';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { ToolStatsProjection } from '@cp/tool-governor/domain';

const REPLAY_PAGE = 5_000;
const REPLAY_MAX_PAGES = 40;

/**
 * Tool statistics (`cp.tool-governor.rpc.stats.v1`), projected from the ledger's request events:
 * live from the bus, and on start from the store (asked of the auditor, bounded), each request
 * counted once.
 */
export class ToolStatsService {
  private readonly projection = new ToolStatsProjection();
  private readonly seen = new Set<string>();
  private sub?: Subscription;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly rt: ServiceRuntime,
    private readonly policyVersion: () => string,
  ) {}

  async start(): Promise<void> {
    this.sub = this.rt.bus.nc.subscribe(this.rt.bus.subject(RequestCompleted.subject), {
      callback: (err, msg) => {
        if (err) return;
        for (const entry of eventsOf(msg.data)) {
          const envelope = EventEnvelope.safeParse(entry);
          if (envelope.success) this.add(envelope.data.payload);
        }
      },
    });
    this.rt.bus.serve(ToolGovernorStats, () => this.reply(), 'tool-governor', (error) => ({ ok: false, error }));
    void this.replay(1_000);
  }

  stop(): void {
    this.sub?.unsubscribe();
    clearTimeout(this.retry);
  }

  reply(): ToolStatsReply {
    return { ok: true, policyVersion: this.policyVersion(), requests: this.projection.requests, tools: this.projection.rows() };
  }

  private add(payload: unknown): void {
    const parsed = RequestCompleted.schema.safeParse(payload);
    if (!parsed.success || this.seen.has(parsed.data.requestId)) return;
    if (this.projection.add(parsed.data.trail)) this.seen.add(parsed.data.requestId);
  }

  /** The stored history, page by page; while the auditor does not answer, tried again in the background (1 s doubling to 30 s). */
  private async replay(retryMs: number): Promise<void> {
    let after: number | undefined;
    for (let page = 0; page < REPLAY_MAX_PAGES; page++) {
      try {
        const { events } = await this.rt.bus.request(AuditReplay, { type: RequestCompleted.type, limit: REPLAY_PAGE, ...(after === undefined ? {} : { afterPosition: after }) }, 5_000);
        for (const e of events) this.add(e.payload);
        if (events.length < REPLAY_PAGE) return;
        after = events.at(-1)!.position;
      } catch (err) {
        this.rt.logger.warn({ err: err instanceof Error ? err.message : String(err), retryMs }, 'tool statistics: the store replay failed; retrying in the background');
        this.retry = setTimeout(() => void this.replay(Math.min(retryMs * 2, 30_000)), retryMs);
        return;
      }
    }
  }
}
