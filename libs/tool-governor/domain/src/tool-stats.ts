/** One tool's counters, as `GET /v1/tools/stats` shows them. */
export interface ToolCounters {
  tool: string;
  calls: number;
  repaired: number;
  repairs: Record<string, number>;
  blocked: number;
  invalid: number;
  selfCorrected: number;
  removed: number;
  localRuns: { ok: number; failed: number };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Tool statistics projected from the `tools` entries of request trails (the ledger's
 * `gateway.request-completed` events). Entries it does not know are skipped, never thrown on.
 */
export class ToolStatsProjection {
  private readonly byTool = new Map<string, ToolCounters>();
  requests = 0;

  /** Adds one request's trail; returns whether it had tool entries. */
  add(trail: unknown): boolean {
    const entries = isRecord(trail) && Array.isArray(trail.tools) ? trail.tools : undefined;
    if (!entries || entries.length === 0) return false;
    this.requests++;
    for (const e of entries) {
      if (!isRecord(e) || typeof e.tool !== 'string' || typeof e.action !== 'string') continue;
      const c = this.counters(e.tool.slice(0, 64));
      switch (e.action) {
        case 'called':
          c.calls++;
          break;
        case 'repaired':
          c.repaired++;
          for (const cls of Array.isArray(e.classes) ? e.classes : []) if (typeof cls === 'string') c.repairs[cls] = (c.repairs[cls] ?? 0) + 1;
          break;
        case 'blocked':
          c.blocked++;
          break;
        case 'invalid':
          c.invalid++;
          break;
        case 'self_corrected':
          c.selfCorrected++;
          break;
        case 'removed':
          c.removed++;
          break;
        case 'local_run':
          if (e.ok === true) c.localRuns.ok++;
          else c.localRuns.failed++;
          break;
        default:
          break;
      }
    }
    return true;
  }

  rows(): ToolCounters[] {
    return [...this.byTool.values()].sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool));
  }

  private counters(tool: string): ToolCounters {
    let c = this.byTool.get(tool);
    if (!c) {
      c = { tool, calls: 0, repaired: 0, repairs: {}, blocked: 0, invalid: 0, selfCorrected: 0, removed: 0, localRuns: { ok: 0, failed: 0 } };
      // Tool names come from clients and models: the projection is bounded.
      if (this.byTool.size < 10_000) this.byTool.set(tool, c);
    }
    return c;
  }
}
