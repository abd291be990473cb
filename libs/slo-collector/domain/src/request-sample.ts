import type { PayloadOf, RequestCompleted } from '@cp/shared/contracts';

type Completed = PayloadOf<typeof RequestCompleted>;

/** What one ledger event contributes to the SLOs (docs/slo.md, "Definitions"). */
export interface RequestSample {
  at: number;
  route: string;
  /** Counted in latency and timeout rate: the control plane tried to serve it (not a client error, not abandoned). */
  eligible: boolean;
  latencyMs: number;
  timedOut: boolean;
  served: boolean;
  degraded: boolean;
  failover: boolean;
  toolOk: number;
  toolFailed: number;
  repairs: string[];
  /** Each served (or billed) attempt with its cost (0 when the provider reported no usage). */
  spend: { provider: string; model: string; usd: number }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The route the pipeline chose (`trail.route.route`), `unrouted` when it chose none. */
export function routeOf(trail: Completed['trail']): string {
  const route = trail?.route;
  return isRecord(route) && typeof route.route === 'string' && route.route.length > 0 ? route.route.slice(0, 100) : 'unrouted';
}

/** A client error (4xx other than 408 and 429) is the client's, not the control plane's: it counts in no SLO. */
function clientsFault(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** Shaped when the attempt that served the request carries a shaping record (docs/shaping.md) with a level other than none. */
function shaped(attempts: readonly unknown[]): boolean {
  for (const a of attempts) {
    if (!isRecord(a) || a.outcome !== 'ok' || !isRecord(a.shaping)) continue;
    return typeof a.shaping.level === 'string' && a.shaping.level !== 'none';
  }
  return false;
}

/** Memory degraded: `memory: "degraded"`, or `memory.degraded` true or a non-empty list, or `memory.status: "degraded"`. */
function memoryDegraded(trail: Record<string, unknown>): boolean {
  const m = trail.memory;
  if (m === 'degraded') return true;
  if (!isRecord(m)) return false;
  return m.degraded === true || (Array.isArray(m.degraded) && m.degraded.length > 0) || m.status === 'degraded';
}

/**
 * The model's tool calls as the tool governance judged them (`trail.tools`, docs/tools.md): every
 * call is one `called` entry; a `blocked` (a tool that was not offered) or `invalid` (not
 * repairable) entry makes it a failure, and so does a local tool whose run failed. Repaired calls
 * reached the agent valid, so they count as successes, and are listed with their classes.
 */
function toolCounts(trail: Record<string, unknown>): { ok: number; failed: number; repairs: string[] } {
  const list = Array.isArray(trail.tools) ? trail.tools : [];
  let calls = 0;
  let failed = 0;
  const repairs: string[] = [];
  for (const entry of list.slice(0, 1000)) {
    if (!isRecord(entry) || typeof entry.action !== 'string') continue;
    const tool = typeof entry.tool === 'string' ? entry.tool.slice(0, 64) : 'tool';
    if (entry.action === 'called') calls++;
    else if (entry.action === 'blocked' || entry.action === 'invalid' || (entry.action === 'local_run' && entry.ok === false)) failed++;
    else if (entry.action === 'repaired') repairs.push(`${tool}: ${Array.isArray(entry.classes) ? entry.classes.join(',') : 'repaired'}`);
  }
  failed = Math.min(failed, calls);
  return { ok: calls - failed, failed, repairs };
}

/**
 * The SLO facts of one request from its ledger event. Timed out: a provider call of the request
 * timed out (`errorClass: timeout`) or the request failed on a timeout code. Degraded: served, but
 * by a fallback (any earlier candidate failed or was skipped), or shaped, or with memory degraded.
 */
export function sampleOf(p: Completed, occurredAt: number): RequestSample {
  const trail = p.trail;
  const extra = (trail ?? {}) as Record<string, unknown>;
  const attempts = trail?.attempts ?? [];
  const served = p.outcome === 'ok';
  const failover = trail?.failover === true || attempts.some((a) => a.outcome !== 'ok');
  const timedOut = attempts.some((a) => a.errorClass === 'timeout') || /TIMEOUT|DEADLINE/i.test(p.error?.code ?? '');
  const tools = toolCounts(extra);
  const at = Date.parse(p.timings.receivedAt);
  return {
    at: Number.isFinite(at) ? at : occurredAt,
    route: routeOf(trail),
    eligible: p.outcome !== 'abandoned' && !clientsFault(p.status),
    latencyMs: Math.max(0, p.timings.totalMs),
    timedOut,
    served,
    degraded: served && (failover || shaped(attempts) || memoryDegraded(extra)),
    failover,
    toolOk: tools.ok,
    toolFailed: tools.failed,
    repairs: tools.repairs,
    spend: attempts.filter((a) => a.outcome === 'ok' || (a.costUsd ?? 0) > 0).map((a) => ({ provider: a.provider, model: a.model, usd: a.costUsd ?? 0 })),
  };
}
