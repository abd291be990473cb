import type { EventEmitter } from 'node:events';

/** The part of autocannon 8's programmatic API used here (the package ships no types). */
interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
  overallRate?: number;
  timeout?: number;
  ignoreCoordinatedOmission?: boolean;
  histograms?: Record<'latencies' | 'requests' | 'throughput', NullHistogram>;
  skipAggregateResult?: boolean;
  /** Sent in turn by each connection, from the first again after the last. */
  requests?: { method: 'POST'; body: string }[];
}
interface AutocannonResult {
  start: Date;
  finish: Date;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (opts: AutocannonOptions, cb: (err: Error | null, result: AutocannonResult) => void) => EventEmitter & { stop(): void };
const autocannon = require('autocannon') as Autocannon;

export interface Target {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type LoadShape = { kind: 'paced'; rate: number } | { kind: 'closed'; connections: number };

/**
 * How a paced rate is produced: `staggered` (default, see runLoad) or `autocannon` = one instance with
 * `overallRate` over 64 connections, autocannon's own pacing (bursts at each second boundary).
 */
export type Pacing = 'staggered' | 'autocannon';

export interface LoadResult {
  /** Requests answered per second (any status), summed over the autocannon instances of the run. */
  rps: number;
  /** 2xx answers per second. */
  okRps: number;
  ok: number;
  non2xx: number;
  /** Socket errors and timeouts (no HTTP answer at all). */
  errors: number;
  statusCodes: Record<string, number>;
  /** Percentiles of the 2xx answers' latency (time to the last byte), in ms; NaN without any 2xx. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  connections: number;
  elapsedMs: number;
}

/**
 * Runs one load shape against one target and measures the latency of every 2xx answer exactly
 * (autocannon's own histogram has a 1 ms resolution, too coarse for sub-millisecond differences).
 *
 * `closed`: N connections, each sending its next request as soon as the previous answer arrives.
 *
 * `paced`: an open-loop arrival rate. autocannon's `overallRate` alone sends each connection's share
 * of a second back to back at the start of every second, so 300 rps arrive as one burst of 64-way
 * concurrency every second. Instead `slots` autocannon instances are started `1000/slots` ms apart,
 * each with connections limited to one request per second; every slot tick thus sends
 * `rate/slots` requests. By default `slots` is the rate: one request every `1000/rate` ms, evenly
 * spaced (with 100 slots, 300 rps arrive three at a time every 10 ms).
 */
export async function runLoad(target: Target, shape: LoadShape, durationS: number, slots?: number, pacing: Pacing = 'staggered'): Promise<LoadResult> {
  const latencies: number[] = [];
  const base = { url: target.url, method: 'POST' as const, headers: target.headers, body: target.body, duration: durationS, timeout: 10 };
  const onResponse = (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  };
  const started = performance.now();
  let results: AutocannonResult[];
  let connections: number;
  if (shape.kind === 'closed') {
    connections = shape.connections;
    results = [await one({ ...base, connections }, onResponse)];
  } else if (pacing === 'autocannon') {
    connections = Math.min(64, shape.rate);
    results = [await one({ ...base, connections, overallRate: shape.rate, ignoreCoordinatedOmission: true }, onResponse)];
  } else {
    const n = Math.min(slots ?? shape.rate, shape.rate);
    const perSlot = Array.from({ length: n }, (_, i) => Math.floor(shape.rate / n) + (i < shape.rate % n ? 1 : 0));
    connections = shape.rate;
    results = await Promise.all(
      perSlot.map(async (rate, i) => {
        await sleep((i * 1000) / n);
        return one({ ...base, connections: rate, overallRate: rate, ignoreCoordinatedOmission: true }, onResponse);
      }),
    );
  }
  const elapsedMs = performance.now() - started;
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let rps = 0;
  let okRps = 0;
  for (const r of results) {
    ok += r['2xx'];
    non2xx += r.non2xx;
    errors += r.errors;
    for (const [code, s] of Object.entries(r.statusCodeStats)) statusCodes[code] = (statusCodes[code] ?? 0) + s.count;
    const seconds = (new Date(r.finish).getTime() - new Date(r.start).getTime()) / 1000;
    rps += (r['2xx'] + r.non2xx) / seconds;
    okRps += r['2xx'] / seconds;
  }
  latencies.sort((a, b) => a - b);
  return {
    rps,
    okRps,
    ok,
    non2xx,
    errors,
    statusCodes,
    p50: percentile(latencies, 0.5),
    p90: percentile(latencies, 0.9),
    p99: percentile(latencies, 0.99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    connections,
    elapsedMs,
  };
}

/**
 * Stands in for autocannon's HDR histograms (WebAssembly, several MB each, encoded and aggregated at the
 * end of every instance): latencies are collected exactly by runLoad, so each instance skips that work,
 * which with 100 staggered instances would cost the load generator about 1 ms of CPU per request.
 */
interface NullHistogram {
  __custom: true;
  recordValue(v: number): void;
  recordValueWithExpectedInterval(v: number, i: number): void;
  reset(): void;
  destroy(): void;
}
const nullHistogram = (): NullHistogram => ({ __custom: true, recordValue: () => undefined, recordValueWithExpectedInterval: () => undefined, reset: () => undefined, destroy: () => undefined });

function one(opts: AutocannonOptions, onResponse: (client: unknown, status: number, bytes: number, ms: number) => void): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const cheap = { histograms: { latencies: nullHistogram(), requests: nullHistogram(), throughput: nullHistogram() }, skipAggregateResult: true };
    const instance = autocannon({ ...opts, ...cheap }, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('response', onResponse);
  });
}

/**
 * One connection sending two bodies to one target in turn, request after request, for `durationS`:
 * the p50 of each body's 2xx answers. Both see the same moments of the machine, so their difference
 * is not disturbed by drift between runs (what separate runs of a few seconds suffer on a shared VM).
 */
export async function runAlternating(target: Target, bodies: [string, string], durationS: number): Promise<[number, number]> {
  const latencies: [number[], number[]] = [[], []];
  let n = 0;
  const onResponse = (_client: unknown, status: number, _bytes: number, ms: number) => {
    // One connection, no pipelining: answers come back in the order the bodies were sent.
    const which = n++ % 2;
    if (status >= 200 && status < 300) latencies[which].push(ms);
  };
  await one({ url: target.url, method: 'POST', headers: target.headers, body: bodies[0], requests: bodies.map((body) => ({ method: 'POST' as const, body })), connections: 1, duration: durationS, timeout: 10 }, onResponse);
  return latencies.map((l) => percentile(l.sort((a, b) => a - b), 0.5)) as [number, number];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
