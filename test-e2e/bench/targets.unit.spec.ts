import type { RunRecord, TargetName } from './bench-run';
import type { LoadResult } from './load';
import { METRICS_AB, TRACING_AB } from './options';
import { slope } from './soak';
import { checks, metricsAb, pairs } from './targets';

const load = (over: Partial<LoadResult>): LoadResult => ({ rps: 1000, okRps: 1000, ok: 1000, non2xx: 0, errors: 0, statusCodes: { 200: 1000 }, p50: 1, p90: 2, p99: 3, max: 10, connections: 128, elapsedMs: 1000, ...over });
const rec = (scenario: string, target: TargetName, cpuMs: Record<string, number>, over: Partial<LoadResult> = {}, tracing = true, metrics = true): RunRecord => ({
  scenario, target, stream: scenario.includes('stream'), tracing, metrics, load: load(over), cpuMs, wallMs: 1000, windowUs: [0, 1],
});
const find = (cs: ReturnType<typeof checks>, prefix: string) => cs.find((c) => c.target.startsWith(prefix))!;

describe('bench targets', () => {
  it('slope is the least-squares MiB per minute, NaN with fewer than two points', () => {
    expect(slope([[0, 100], [1, 102], [2, 104]])).toBeCloseTo(2);
    expect(slope([[0, 100]])).toBeNaN();
  });

  it('judges the added latency, the CPU ratio to provider-sim and the throughput ratio to the baseline', () => {
    const records = [
      rec('paced-300', 'direct', { 'provider-sim': 100 }, { p50: 0.5, p99: 2 }),
      rec('paced-300', 'gateway', { gateway: 500 }, { p50: 1.0, p99: 6 }),
      // 1000 answers: sim 50 us/req; stack 100 + 200 + 100 ms = 400 us/req = 8x
      rec('closed-128', 'direct', { 'provider-sim': 50 }),
      rec('closed-128', 'gateway', { gateway: 100, 'nats-server': 200, 'postgres (all)': 100 }, { okRps: 1300, max: 2500 }),
    ];
    const cs = checks(pairs(records), [], {}, { baselineRps: 824, tracing: 'on' });
    expect(find(cs, 'added p50 @ paced-300').verdict).toBe('PASS'); // 0.5 ms
    expect(find(cs, 'added p99 @ paced-300').verdict).toBe('PASS'); // 4 ms
    expect(find(cs, 'CPU/req all stack processes @ closed-128 /').measured).toMatch(/^8\.0x/);
    expect(find(cs, 'CPU/req all stack processes @ closed-128 /').verdict).toBe('PASS');
    expect(find(cs, '2xx throughput').verdict).toBe('PASS'); // 1300 / 824 = 1.58
    expect(find(cs, 'no multi-second outlier @ closed-128').verdict).toBe('FAIL'); // max 2.5 s
    expect(find(cs, 'tracing cost').verdict).toBe('n/a');
  });

  it('prices tracing from the A/B runs and calls it noise when the on runs disagree', () => {
    const ab = (on: [number, number], off: number) => [
      rec(TRACING_AB, 'gateway', { gateway: on[0] }),
      rec(TRACING_AB, 'gateway', { gateway: off }, {}, false),
      rec(TRACING_AB, 'gateway', { gateway: on[1] }),
    ];
    const priced = (runs: RunRecord[]) => find(checks(pairs(runs), runs, {}, { tracing: 'both' }), 'tracing cost');
    expect(priced(ab([1040, 1060], 1000)).verdict).toBe('PASS'); // 50 us
    expect(priced(ab([1100, 1120], 1000)).verdict).toBe('FAIL'); // 110 us
    expect(priced(ab([1000, 1200], 1000)).verdict).toBe('n/a'); // on runs 200 us apart
    expect(priced(ab([990, 995], 1000)).verdict).toBe('n/a'); // off costlier
    expect(pairs(ab([1, 1], 1))).toHaveLength(0); // A/B runs are not a scenario of their own
  });

  it('prices metrics from the last tracing-on run and the metrics A/B runs, as a recorded figure', () => {
    const runs = [
      rec(TRACING_AB, 'gateway', { gateway: 1300 }),
      rec(TRACING_AB, 'gateway', { gateway: 1000 }, {}, false),
      rec(TRACING_AB, 'gateway', { gateway: 1030 }),
      rec(METRICS_AB, 'gateway', { gateway: 1000 }, {}, true, false),
      rec(METRICS_AB, 'gateway', { gateway: 1010 }),
    ];
    expect(metricsAb(runs).map((r) => r.cpuMs.gateway)).toEqual([1030, 1000, 1010]);
    const row = find(checks(pairs(runs), runs.slice(0, 3), {}, { tracing: 'both' }, metricsAb(runs)), 'metrics cost');
    expect(row.verdict).toBe('info');
    expect(row.measured).toMatch(/^20(\.0)? us \(on 1030 \/ 1010, off 1000\)$/);
    expect(pairs(runs)).toHaveLength(0);
  });
});
