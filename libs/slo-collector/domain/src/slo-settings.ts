import type { SloName } from '@cp/shared/contracts';

/** How an SLO is judged: a bound on its value, and the error budget its bad events may spend. */
export interface SloTarget {
  comparator: '<=' | '>=';
  target: number;
  unit: 'ms' | 'ratio';
  /** The fraction of events allowed to be bad (the burn rate divides by it). */
  errorBudget: number;
}

export type SloTargets = Record<SloName, SloTarget>;

/** The article's targets: p95 <= 30 s, timeouts <= 3 %, tool success >= 95 %, degradation <= 5 %, auto-recovery >= 90 %. */
export function defaultTargets(): SloTargets {
  return {
    // p95 <= target  <=>  at most 5 % of requests slower than the target.
    latency_p95: { comparator: '<=', target: 30_000, unit: 'ms', errorBudget: 0.05 },
    timeout_rate: { comparator: '<=', target: 0.03, unit: 'ratio', errorBudget: 0.03 },
    tool_success_rate: { comparator: '>=', target: 0.95, unit: 'ratio', errorBudget: 0.05 },
    degradation_rate: { comparator: '<=', target: 0.05, unit: 'ratio', errorBudget: 0.05 },
    auto_recovery_rate: { comparator: '>=', target: 0.9, unit: 'ratio', errorBudget: 0.1 },
  };
}

/** Targets with some replaced (from config); the error budget follows the target. */
export function targetsWith(overrides: Partial<Record<SloName, number>>): SloTargets {
  const t = defaultTargets();
  for (const [name, value] of Object.entries(overrides) as [SloName, number | undefined][]) {
    if (value === undefined) continue;
    const cur = t[name];
    t[name] = { ...cur, target: value, errorBudget: name === 'latency_p95' ? cur.errorBudget : cur.comparator === '<=' ? value : 1 - value };
  }
  return t;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** The rolling windows, in unscaled milliseconds; `30m` only feeds the slow burn-rate pair. */
export const WINDOW_MS = { '5m': 5 * MINUTE_MS, '30m': 30 * MINUTE_MS, '1h': HOUR_MS, '6h': 6 * HOUR_MS, '24h': 24 * HOUR_MS, '30d': 30 * 24 * HOUR_MS } as const;
export type WindowName = keyof typeof WINDOW_MS;

/** Windows up to 6 h are summed from minute slots, longer ones from hour slots. */
export function usesMinuteSlots(w: WindowName): boolean {
  return WINDOW_MS[w] <= WINDOW_MS['6h'];
}

/** Time as the collector sees it: every window and slot divided by `scale` (1 in production). */
export class TimeScale {
  constructor(readonly scale = 1) {
    if (!(scale > 0)) throw new Error('time scale must be positive');
  }
  get minuteMs(): number {
    return MINUTE_MS / this.scale;
  }
  get hourMs(): number {
    return HOUR_MS / this.scale;
  }
  window(w: WindowName): number {
    return WINDOW_MS[w] / this.scale;
  }
  scaled(ms: number): number {
    return ms / this.scale;
  }
}
