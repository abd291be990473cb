import type { SloName, SloVerdict, SloWindowValue } from '@cp/shared/contracts';
import { countAbove, quantile } from './latency-histogram';
import type { SlotCounts } from './slot-series';
import type { SloTarget, SloTargets } from './slo-settings';

/** Good and bad events of one SLO over one window, and the value shown. */
interface Tally {
  value: number | null;
  events: number;
  bad: number;
}

const round = (v: number, digits = 6) => Math.round(v * 10 ** digits) / 10 ** digits;

function ratio(num: number, den: number): number | null {
  return den === 0 ? null : num / den;
}

/** The request-based SLOs from one window's counts. */
export function tallyOf(name: Exclude<SloName, 'auto_recovery_rate'>, c: SlotCounts, target: SloTarget): Tally {
  switch (name) {
    case 'latency_p95':
      return { value: quantile(c.latency, 0.95), events: c.n, bad: countAbove(c.latency, target.target) };
    case 'timeout_rate':
      return { value: ratio(c.timeouts, c.n), events: c.n, bad: c.timeouts };
    case 'tool_success_rate': {
      const total = c.toolOk + c.toolFailed;
      return { value: ratio(c.toolOk, total), events: total, bad: c.toolFailed };
    }
    case 'degradation_rate':
      return { value: ratio(c.degraded, c.served), events: c.served, bad: c.degraded };
    default: {
      const unhandled: never = name;
      throw new Error(`unhandled SLO ${String(unhandled)}`);
    }
  }
}

export function recoveryTally(judged: { recovered: number; unrecovered: number }): Tally {
  const events = judged.recovered + judged.unrecovered;
  return { value: ratio(judged.recovered, events), events, bad: judged.unrecovered };
}

export function verdictOf(value: number | null, target: SloTarget): SloVerdict {
  if (value === null) return 'no_data';
  return (target.comparator === '<=' ? value <= target.target : value >= target.target) ? 'pass' : 'fail';
}

/** Value, verdict and burn rate (bad fraction / error budget) of one tally. */
export function windowValue(t: Tally, target: SloTarget): SloWindowValue {
  return {
    value: t.value === null ? null : round(t.value),
    verdict: verdictOf(t.value, target),
    events: t.events,
    burnRate: t.events === 0 ? null : round(t.bad / t.events / target.errorBudget, 4),
  };
}

/** What is left of the error budget over the long window: 1 - burn rate (negative once overspent). */
export function budgetLeft(v: SloWindowValue): number | null {
  return v.burnRate === null ? null : round(1 - v.burnRate, 4);
}

export type { SloTargets };
