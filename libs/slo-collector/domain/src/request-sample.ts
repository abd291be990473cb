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

const TOOL_OK = new Set(['ok', 'valid', 'passed', 'repaired', 'self-corrected', 'self_corrected', 'executed', 'succeeded', 'success']);
const TOOL_FAILED = new Set(['failed', 'unrepairable', 'blocked', 'error', 'rejected']);
const NOT_SHAPED = new Set(['none', 'off', 'no', 'ok']);

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

/** Shaped when the trail names a shaping level other than none. */
function shaped(trail: Record<string, unknown>): boolean {
  const s = trail.shaping;
  if (typeof s === 'string') return !NOT_SHAPED.has(s);
  if (isRecord(s)) return typeof s.level === 'string' && !NOT_SHAPED.has(s.level);
  return false;
}

/** Memory degraded: `memory: "degraded"`, or `memory.degraded` true or a non-empty list, or `memory.status: "degraded"`. */
function memoryDegraded(trail: Record<string, unknown>): boolean {
  const m = trail.memory;
  if (m === 'degraded') return true;
  if (!isRecord(m)) return false;
  return m.degraded === true || (Array.isArray(m.degraded) && m.degraded.length > 0) || m.status === 'degraded';
}

/** Tool calls the trail reviewed: `trail.tools` entries (or `trail.toolCalls`), judged by their `outcome` / `status` / `action`. */
function toolCounts(trail: Record<string, unknown>): { ok: number; failed: number; repairs: string[] } {
  const list = Array.isArray(trail.tools) ? trail.tools : Array.isArray(trail.toolCalls) ? trail.toolCalls : [];
  let ok = 0;
  let failed = 0;
  const repairs: string[] = [];
  for (const entry of list.slice(0, 1000)) {
    if (!isRecord(entry)) continue;
    const verdict = [entry.outcome, entry.status, entry.action].find((v): v is string => typeof v === 'string');
    if (verdict === undefined) continue;
    if (TOOL_OK.has(verdict)) ok++;
    else if (TOOL_FAILED.has(verdict)) failed++;
    if (verdict === 'repaired') repairs.push(`${typeof entry.name === 'string' ? entry.name : 'tool'}: ${typeof entry.class === 'string' ? entry.class : Array.isArray(entry.classes) ? entry.classes.join(',') : 'repaired'}`);
  }
  if (Array.isArray(trail.repairs)) for (const r of trail.repairs.slice(0, 100)) repairs.push(isRecord(r) ? `${String(r.tool ?? r.name ?? 'tool')}: ${String(r.class ?? 'repaired')}` : String(r));
  return { ok, failed, repairs };
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
    degraded: served && (failover || shaped(extra) || memoryDegraded(extra)),
    failover,
    toolOk: tools.ok,
    toolFailed: tools.failed,
    repairs: tools.repairs,
    spend: attempts.filter((a) => a.outcome === 'ok' || (a.costUsd ?? 0) > 0).map((a) => ({ provider: a.provider, model: a.model, usd: a.costUsd ?? 0 })),
  };
}
