/**
 * A log-bucketed latency histogram: bucket `i` holds values in (GROWTH^(i-1), GROWTH^i] ms, so any
 * quantile is known within 5 % and a bucket's memory does not grow with its traffic. Sparse: only
 * buckets with counts are kept (a minute of traffic touches a few dozen at most).
 */
export type Histogram = Record<number, number>;

const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
/** 1.05^400 is far beyond any deadline: the last bucket holds everything above. */
const MAX_INDEX = 400;

export function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(MAX_INDEX, Math.ceil(Math.log(ms) / LOG_GROWTH - 1e-9));
}

/** The upper bound of a bucket: what a quantile falling in it reports. */
export function upperBound(index: number): number {
  return index === 0 ? 1 : GROWTH ** index;
}

export function record(h: Histogram, ms: number): void {
  const i = bucketOf(ms);
  h[i] = (h[i] ?? 0) + 1;
}

export function mergeInto(into: Histogram, from: Histogram): void {
  for (const [k, v] of Object.entries(from)) into[Number(k)] = (into[Number(k)] ?? 0) + v;
}

/** The q-quantile (0..1) as a bucket's upper bound, or null for an empty histogram. */
export function quantile(h: Histogram, q: number): number | null {
  const keys = Object.keys(h).map(Number).sort((a, b) => a - b);
  const total = keys.reduce((s, k) => s + h[k], 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const k of keys) {
    seen += h[k];
    if (seen >= rank) return Math.round(upperBound(k) * 1000) / 1000;
  }
  return Math.round(upperBound(keys[keys.length - 1]) * 1000) / 1000;
}

/** How many recorded values lie above `ms` (to bucket precision: a bucket counts when its lower bound is at or above it). */
export function countAbove(h: Histogram, ms: number): number {
  const limit = bucketOf(ms);
  let n = 0;
  for (const [k, v] of Object.entries(h)) if (Number(k) > limit) n += v;
  return n;
}
