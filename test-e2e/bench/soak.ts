/**
 * `--soak <minutes>`: paced 300 rps through the gateway for N minutes. Prints per minute the added
 * p50/p99 (against a direct run at the same rate measured first) and the RSS of every service, then
 * the least-squares slope of each service's RSS in MiB per minute and a verdict: a leak shows as a slope.
 */
import { STACK_SERVICES } from '@cp/shared/testing';
import { fmtMs, type Bench } from './bench-run';
import type { Target } from './load';
import { runLoad } from './load';
import { table } from './report';
import { LIMITS } from './targets';

const RATE = 300;
const SAMPLE_MS = 5_000;

export interface SoakResult {
  text: string;
  json: unknown;
  flat: boolean;
}

/** Least-squares slope of y over x. */
export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  return sxx === 0 ? NaN : sxy / sxx;
}

export async function soak(bench: Bench, direct: Target, gateway: Target, minutes: number): Promise<SoakResult> {
  const services = [...STACK_SERVICES, 'provider-sim'];
  process.stderr.write(`soak: direct reference at ${RATE} rps for 10 s\n`);
  const ref = await runLoad(direct, { kind: 'paced', rate: RATE }, 10, bench.opts.slots, bench.opts.pacing);
  process.stderr.write(`soak: direct p50 ${fmtMs(ref.p50)} ms, p99 ${fmtMs(ref.p99)} ms; now ${minutes} min through the gateway at ${RATE} rps\n`);
  const samples: Record<string, [number, number][]> = Object.fromEntries(services.map((s) => [s, []]));
  const t0 = performance.now();
  const sample = () => {
    const rss = bench.rssMiB();
    const t = (performance.now() - t0) / 60_000;
    for (const s of services) if (rss[s] !== undefined) samples[s].push([t, rss[s]]);
    return rss;
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  const rows: string[][] = [];
  const perMinute: unknown[] = [];
  try {
    for (let m = 1; m <= Math.ceil(minutes); m++) {
      const seconds = Math.min(60, Math.round((minutes - (m - 1)) * 60));
      const load = await runLoad(gateway, { kind: 'paced', rate: RATE }, seconds, bench.opts.slots, bench.opts.pacing);
      await bench.auditorDrained(5_000);
      const rss = sample();
      bench.notePeaks();
      const row = [String(m), load.rps.toFixed(0), fmtMs(load.p50), fmtMs(load.p99), fmtMs(load.p50 - ref.p50), fmtMs(load.p99 - ref.p99), String(load.non2xx + load.errors), ...services.map((s) => (rss[s] ?? NaN).toFixed(1))];
      rows.push(row);
      perMinute.push({ minute: m, rps: load.rps, p50: load.p50, p99: load.p99, addedP50: load.p50 - ref.p50, addedP99: load.p99 - ref.p99, failed: load.non2xx + load.errors, rssMiB: rss });
      process.stderr.write(`  minute ${m}: ${row.slice(1, 7).join(' ')} | ${services.map((s) => `${s} ${(rss[s] ?? NaN).toFixed(0)}`).join(' ')} MiB\n`);
    }
  } finally {
    clearInterval(timer);
  }
  // From 3 minutes on, the first minute is warm-up (JIT, pools, caches filling) and stays out of the slope.
  const skip = minutes >= 3 ? 1 : 0;
  const steady = (s: string) => samples[s].filter(([t]) => t >= skip);
  const slopes = services.map((s) => [s, slope(steady(s))] as const);
  const flat = slopes.every(([, k]) => !Number.isFinite(k) || k <= LIMITS.soakSlopeMiBPerMin);
  const out: string[] = [];
  out.push('');
  out.push(`Soak: ${minutes} min at ${RATE} rps (paced) through the gateway; added = gateway minus a direct run at ${RATE} rps before the soak (p50 ${fmtMs(ref.p50)}, p99 ${fmtMs(ref.p99)} ms)`);
  out.push(table(['minute', 'req/s', 'p50 ms', 'p99 ms', 'added p50', 'added p99', 'failed', ...services.map((s) => `${s} MiB`)], rows, 1));
  out.push('');
  out.push(`RSS slope per service (least squares over a sample every ${SAMPLE_MS / 1000} s${skip ? ', first minute left out as warm-up' : ''}), MiB/min; flat = slope <= ${LIMITS.soakSlopeMiBPerMin} MiB/min`);
  out.push(table(['service', 'slope MiB/min', 'first MiB', 'last MiB', 'max MiB', 'verdict'], slopes.map(([s, k]) => {
    const pts = steady(s);
    const max = pts.length ? Math.max(...pts.map((p) => p[1])).toFixed(1) : 'n/a';
    return [s, Number.isFinite(k) ? k.toFixed(2) : 'n/a', pts[0]?.[1].toFixed(1) ?? 'n/a', pts[pts.length - 1]?.[1].toFixed(1) ?? 'n/a', max, !Number.isFinite(k) ? 'n/a' : k <= LIMITS.soakSlopeMiBPerMin ? 'flat' : 'GROWING'];
  }), 1));
  if (minutes < 5) out.push(`  (a ${minutes}-minute soak mostly shows warm-up growth: the issue's verdict needs --soak 10)`);
  out.push(`verdict: ${flat ? 'flat' : 'NOT flat'}`);
  return { text: out.join('\n'), json: { minutes, rate: RATE, direct: { p50: ref.p50, p99: ref.p99 }, perMinute, slopes: Object.fromEntries(slopes), samples }, flat };
}
