import { AuditReplay, RequestCompleted, ToolGovernorStats, type ToolStatsReply } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { ToolStatsProjection } from '@cp/tool-governor/domain';

const REPLAY_PAGE = 1_000;
/** A catch-up reads at most this many pages at a time (the next call or tick goes on). */
const CATCH_UP_MAX_PAGES = 40;
const REPLAY_TIMEOUT_MS = 5_000;
/** How long a stats call waits for the catch-up it started before answering with what is counted. */
const ANSWER_WITHIN_MS = 3_000;

export interface ToolStatsTiming {
  /** Background catch-up with the store (default 30 s), so a stats call has little left to read. */
  refreshMs?: number;
}

/**
 * Tool statistics (`cp.tool-governor.rpc.stats.v1`), projected from the ledger's request events as the
 * auditor stored them (only their `trail.tools` entries, selected by the store): read page by page after the last position counted, when statistics are asked
 * for and every `refreshMs` in the background. No live subscription: the request path's events cost
 * this process nothing (a subscriber woken by every request cost about half a millisecond of CPU per
 * request on a busy 2-core machine; docs/performance.md). Each stored event is counted once (positions
 * only grow); what the auditor has not stored yet (its batch linger, tens of milliseconds) is counted
 * at the next call.
 */
export class ToolStatsService {
  private readonly projection = new ToolStatsProjection();
  private position = 0;
  private catchingUp: Promise<void> | undefined;
  private timer?: NodeJS.Timeout;
  private failures = 0;

  constructor(
    private readonly rt: ServiceRuntime,
    private readonly policyVersion: () => string,
    private readonly timing: ToolStatsTiming = {},
  ) {}

  start(): void {
    this.rt.bus.serve(ToolGovernorStats, () => this.answer(), 'tool-governor', (error) => ({ ok: false, error }));
    void this.catchUp();
    this.timer = setInterval(() => void this.catchUp(), this.timing.refreshMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async answer(): Promise<ToolStatsReply> {
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([this.catchUp(), new Promise<void>((resolve) => (deadline = setTimeout(resolve, ANSWER_WITHIN_MS)))]);
    clearTimeout(deadline);
    return this.reply();
  }

  reply(): ToolStatsReply {
    return { ok: true, policyVersion: this.policyVersion(), requests: this.projection.requests, tools: this.projection.rows() };
  }

  /** One catch-up at a time; a caller arriving meanwhile waits for the one under way. */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.readNewEvents().finally(() => (this.catchingUp = undefined));
    return this.catchingUp;
  }

  private async readNewEvents(): Promise<void> {
    for (let page = 0; page < CATCH_UP_MAX_PAGES; page++) {
      let reply;
      try {
        // Only requests whose trail has tool entries, and only those entries.
        reply = await this.rt.bus.request(AuditReplay, { type: RequestCompleted.type, limit: REPLAY_PAGE, afterPosition: this.position, payloadPath: ['trail', 'tools'] }, REPLAY_TIMEOUT_MS);
      } catch (err) {
        // Logged once per outage: the next call or tick tries again.
        if (this.failures++ === 0) this.rt.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'tool statistics: the ledger store did not answer; statistics stay as counted until it does');
        return;
      }
      this.failures = 0;
      for (const e of reply.events) {
        // The projection checks each entry itself.
        this.projection.add({ tools: e.payload });
        this.position = e.position;
      }
      if (!reply.more || reply.events.length === 0) return;
    }
  }
}
