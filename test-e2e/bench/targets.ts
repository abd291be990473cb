/** The targets (issue 13), judged on one run's records. Method: docs/performance.md. */
import { STACK_SERVICES } from '@cp/shared/testing';
import { fmtMs, fmtUs, type RunRecord } from './bench-run';
import type { LoadResult } from './load';
import { METRICS_AB, SATURATION, TRACING_AB } from './options';

export const LIMITS = {
  addedP50Ms: 0.8,
  addedP99Ms: 5,
  cpuVsSim: 10,
  tracingUs: 60,
  throughputVsBaseline: 1.5,
  outlierMs: 1000,
  streamVsPlain: 1.3,
  peakMiB: 150,
  soakSlopeMiBPerMin: 1,
};

export const answered = (r: RunRecord) => r.load.ok + r.load.non2xx;
export const perReqUs = (ms: number | undefined, r: RunRecord) => (answered(r) > 0 && ms !== undefined ? (ms * 1000) / answered(r) : NaN);
export const servicesMs = (r: RunRecord) => STACK_SERVICES.reduce((a, s) => a + (r.cpuMs[s] ?? 0), 0);
/** Every process of the stack but provider-sim and the load generator: services, nats-server, all Postgres processes. */
export const totalStackMs = (r: RunRecord) => servicesMs(r) + (r.cpuMs['nats-server'] ?? 0) + (r.cpuMs['postgres (all)'] ?? 0);
export const statusSummary = (l: LoadResult) =>
  Object.entries(l.statusCodes)
    .filter(([c]) => !c.startsWith('2'))
    .map(([c, n]) => `${c}x${n}`)
    .join(' ');

/** The runs of one scenario: direct, reference proxy, gateway. */
export interface Pair {
  scenario: string;
  stream: boolean;
  direct?: RunRecord;
  proxy?: RunRecord;
  gateway?: RunRecord;
  addedP50: number;
  addedP99: number;
}

export function pairs(records: RunRecord[]): Pair[] {
  const out = new Map<string, Pair>();
  for (const r of records) {
    if (r.scenario === TRACING_AB || r.scenario === METRICS_AB) continue;
    const p = out.get(r.scenario) ?? { scenario: r.scenario, stream: r.stream, addedP50: NaN, addedP99: NaN };
    p[r.target] = r;
    out.set(r.scenario, p);
  }
  for (const p of out.values()) {
    if (p.direct && p.gateway) {
      p.addedP50 = p.gateway.load.p50 - p.direct.load.p50;
      p.addedP99 = p.gateway.load.p99 - p.direct.load.p99;
    }
  }
  return [...out.values()];
}

/** A negative tail difference means the direct run's tail was the noisier one: say so rather than claim a gain. */
export const tailNote = (p: Pair) => (p.addedP99 < 0 ? ` (direct p99 ${fmtMs(p.direct!.load.p99)} > gateway p99 ${fmtMs(p.gateway!.load.p99)}: noise, rerun)` : '');

export interface TargetCheck {
  target: string;
  limit: string;
  measured: string;
  verdict: 'PASS' | 'FAIL' | 'n/a' | 'info';
}

const v = (ok: boolean | undefined): TargetCheck['verdict'] => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL');
const usable = (p: Pair | undefined): p is Pair & { gateway: RunRecord; direct: RunRecord } => !!(p && p.gateway && p.gateway.load.ok > 0 && p.direct && p.direct.load.ok > 0);

/**
 * What a feature costs from back-to-back runs with it on, off, on (ABA): the mean of the on runs minus
 * the off run, CPU per request of the whole stack. When the off run cost more, or the on runs differ by
 * more than the limit (or than 60 µs without one), the difference is noise and the row says so.
 */
function abCheck(target: string, on: RunRecord[], off: RunRecord[], limitUs?: number): TargetCheck {
  const cost = (r: RunRecord) => perReqUs(totalStackMs(r), r);
  const mean = (rs: RunRecord[]) => rs.reduce((a, r) => a + cost(r), 0) / rs.length;
  const onUs = mean(on);
  const offUs = mean(off);
  const spread = Math.max(...on.map(cost)) - Math.min(...on.map(cost));
  const noise = onUs < offUs ? ': the off run cost more, noise, rerun' : spread > (limitUs ?? 60) ? `: the on runs differ by ${fmtUs(spread)} us, more than ${limitUs ? 'the limit' : '60 us'}, noise, rerun` : '';
  const measured = `${fmtUs(onUs - offUs)} us (on ${on.map((r) => fmtUs(cost(r))).join(' / ')}, off ${fmtUs(offUs)}${noise})`;
  if (limitUs === undefined) return { target, limit: '(recorded)', measured, verdict: 'info' };
  return { target, limit: `<= ${limitUs} us`, measured, verdict: noise ? 'n/a' : v(onUs - offUs <= limitUs) };
}

/** The metrics ABA: the last tracing-on run of the tracing A/B (metrics on), then the metrics A/B runs (off, on). */
export function metricsAb(records: RunRecord[]): RunRecord[] {
  const lastTracingOn = records.filter((r) => r.scenario === TRACING_AB && r.tracing).at(-1);
  const runs = records.filter((r) => r.scenario === METRICS_AB);
  return runs.length > 0 && lastTracingOn ? [lastTracingOn, ...runs] : runs;
}

export function checks(ps: Pair[], ab: RunRecord[], memory: Record<string, { hwmKb?: number }>, opts: { baselineRps?: number; tracing: string }, mab: RunRecord[] = []): TargetCheck[] {
  const out: TargetCheck[] = [];
  const tracingNote = opts.tracing === 'off' ? ' [tracing OFF: not the target condition]' : '';
  for (const name of ['paced-300', 'paced-300 stream']) {
    const p = ps.find((x) => x.scenario === name);
    const why = p?.gateway && p.gateway.load.ok === 0 ? `gateway answered ${statusSummary(p.gateway.load) || 'nothing'}` : 'not run';
    const ok = usable(p);
    out.push({ target: `added p50 @ ${name}`, limit: `<= ${LIMITS.addedP50Ms} ms`, measured: ok ? `${fmtMs(p.addedP50)} ms${tracingNote}` : why, verdict: v(ok ? p.addedP50 <= LIMITS.addedP50Ms : undefined) });
    out.push({ target: `added p99 @ ${name}`, limit: `<= ${LIMITS.addedP99Ms} ms`, measured: ok ? `${fmtMs(p.addedP99)} ms${tailNote(p)}${tracingNote}` : why, verdict: v(ok ? p.addedP99 <= LIMITS.addedP99Ms : undefined) });
    if (ok && p.proxy && p.proxy.load.ok > 0) {
      const floor = p.proxy.load.p50 - p.direct.load.p50;
      out.push({ target: `  reference proxy added p50 @ ${name}`, limit: '(floor)', measured: `${fmtMs(floor)} ms (gateway ${fmtMs(p.addedP50)} ms)`, verdict: 'info' });
    }
  }
  for (const name of [SATURATION, `${SATURATION} stream`]) {
    const p = ps.find((x) => x.scenario === name);
    const total = p?.gateway ? perReqUs(totalStackMs(p.gateway), p.gateway) : NaN;
    const sim = p?.direct ? perReqUs(p.direct.cpuMs['provider-sim'], p.direct) : NaN;
    const ratio = total / sim;
    const ok = Number.isFinite(ratio);
    out.push({ target: `CPU/req all stack processes @ ${name} / sim CPU/req`, limit: `<= ${LIMITS.cpuVsSim}x`, measured: ok ? `${ratio.toFixed(1)}x (${fmtUs(total)} / ${fmtUs(sim)} us)${tracingNote}` : 'not run', verdict: v(ok ? ratio <= LIMITS.cpuVsSim : undefined) });
    if (p?.proxy && Number.isFinite(sim)) {
      const proxyUs = perReqUs(p.proxy.cpuMs['ref proxy'], p.proxy);
      out.push({ target: `  reference proxy CPU/req @ ${name} / sim CPU/req`, limit: '(floor)', measured: `${(proxyUs / sim).toFixed(1)}x (${fmtUs(proxyUs)} us)`, verdict: 'info' });
    }
  }
  const sat = ps.find((x) => x.scenario === SATURATION);
  if (ab.some((r) => r.tracing) && ab.some((r) => !r.tracing)) out.push(abCheck('tracing cost, CPU/req all processes @ ' + SATURATION, ab.filter((r) => r.tracing), ab.filter((r) => !r.tracing), LIMITS.tracingUs));
  else out.push({ target: 'tracing cost, CPU/req all processes', limit: `<= ${LIMITS.tracingUs} us`, measured: opts.tracing === 'both' ? `not run (needs ${SATURATION})` : `not run (--tracing ${opts.tracing})`, verdict: 'n/a' });
  if (mab.some((r) => r.metrics) && mab.some((r) => !r.metrics)) out.push(abCheck('metrics cost, CPU/req all processes @ ' + SATURATION, mab.filter((r) => r.metrics), mab.filter((r) => !r.metrics)));
  else out.push({ target: 'metrics cost, CPU/req all processes', limit: '(recorded)', measured: opts.tracing === 'both' ? `not run (needs ${SATURATION})` : `not run (only with --tracing both)`, verdict: 'n/a' });
  const rps = sat?.gateway ? sat.gateway.load.okRps : NaN;
  out.push({
    target: `2xx throughput @ ${SATURATION} vs old architecture`,
    limit: `>= ${LIMITS.throughputVsBaseline}x baseline`,
    measured: !sat?.gateway ? 'not run' : opts.baselineRps ? `${(rps / opts.baselineRps).toFixed(2)}x (${rps.toFixed(0)} / ${opts.baselineRps} rps)` : `${rps.toFixed(0)} rps (no --baseline-rps given)`,
    verdict: v(sat?.gateway && opts.baselineRps ? rps / opts.baselineRps >= LIMITS.throughputVsBaseline : undefined),
  });
  for (const name of [SATURATION, `${SATURATION} stream`]) {
    const g = ps.find((x) => x.scenario === name)?.gateway;
    out.push({ target: `no multi-second outlier @ ${name}`, limit: `max < ${LIMITS.outlierMs} ms`, measured: g ? `p99 ${fmtMs(g.load.p99)} ms, max ${fmtMs(g.load.max)} ms, errors ${g.load.errors}` : 'not run', verdict: v(g ? g.load.max < LIMITS.outlierMs && g.load.errors === 0 : undefined) });
  }
  const st = ps.find((x) => x.scenario === `${SATURATION} stream`)?.gateway;
  out.push({
    target: `streaming vs plain throughput @ ${SATURATION}`,
    limit: `plain/stream <= ${LIMITS.streamVsPlain}`,
    measured: st && sat?.gateway ? `${(rps / st.load.okRps).toFixed(2)} (${rps.toFixed(0)} / ${st.load.okRps.toFixed(0)} rps)` : 'not run',
    verdict: v(st && sat?.gateway ? rps / st.load.okRps <= LIMITS.streamVsPlain : undefined),
  });
  const services = STACK_SERVICES.map((s) => [s, memory[s]?.hwmKb] as const).filter((e): e is readonly [typeof e[0], number] => e[1] !== undefined);
  const worst = services.sort((a, b) => b[1] - a[1])[0];
  out.push({
    target: 'peak memory per service (VmHWM)',
    limit: `<= ${LIMITS.peakMiB} MiB`,
    measured: worst ? services.map(([s, kb]) => `${s} ${(kb / 1024).toFixed(0)}`).join(', ') + ' MiB' : 'n/a',
    verdict: v(worst ? worst[1] / 1024 <= LIMITS.peakMiB : undefined),
  });
  out.push({ target: 'memory flat over a 10-minute soak @ 300 rps', limit: `slope <= ${LIMITS.soakSlopeMiBPerMin} MiB/min`, measured: 'see --soak 10', verdict: 'n/a' });
  return out;
}
