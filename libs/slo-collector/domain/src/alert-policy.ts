import type { AlertCondition, SloName, SloWindowValue } from '@cp/shared/contracts';
import type { WindowName } from './slo-settings';

/** The alerting rules (docs/slo.md, "Alerts"); the defaults are the SRE workbook's. */
export interface AlertRules {
  fast: { long: WindowName; short: WindowName; burnRate: number };
  slow: { long: WindowName; short: WindowName; burnRate: number };
  /** The threshold check judges the SLO's value over this window against its target. */
  thresholdWindow: WindowName;
  /** Fewer events than this in the short window and no condition holds: one bad request is not an incident. */
  minEvents: number;
  /** Consecutive evaluations a condition must hold before the alert is raised. */
  raiseAfter: number;
  /** Consecutive evaluations with every condition cleared before the alert resolves. */
  clearAfter: number;
  /** A raised alert stays raised while a burn rate or value is within this fraction of its limit (hysteresis band). */
  clearMargin: number;
}

export const DEFAULT_ALERT_RULES: AlertRules = {
  fast: { long: '1h', short: '5m', burnRate: 14.4 },
  slow: { long: '6h', short: '30m', burnRate: 6 },
  thresholdWindow: '5m',
  minEvents: 10,
  raiseAfter: 2,
  clearAfter: 3,
  clearMargin: 0.1,
};

export type WindowValues = (w: WindowName) => SloWindowValue;

/**
 * The conditions that hold for one SLO now. `factor` scales every limit towards "better": 1 to
 * raise, `1 - clearMargin` while raised, so a value hovering at the limit does not flap.
 */
export function conditionsHolding(values: WindowValues, target: { comparator: '<=' | '>='; target: number }, rules: AlertRules, factor: number, minEvents: number): AlertCondition[] {
  const held: AlertCondition[] = [];
  for (const kind of ['burn_fast', 'burn_slow'] as const) {
    const pair = kind === 'burn_fast' ? rules.fast : rules.slow;
    const long = values(pair.long);
    const short = values(pair.short);
    const limit = pair.burnRate * factor;
    if (short.events >= minEvents && long.burnRate !== null && short.burnRate !== null && long.burnRate >= limit && short.burnRate >= limit) {
      held.push({ kind, long: long.burnRate, short: short.burnRate, limit: pair.burnRate });
    }
  }
  const t = values(rules.thresholdWindow);
  if (t.value !== null && t.events >= minEvents) {
    // The band: while raised, "fine again" means inside the target by the margin.
    const bound = target.comparator === '<=' ? target.target * factor : 1 - (1 - target.target) * factor;
    const breached = target.comparator === '<=' ? t.value > bound : t.value < bound;
    if (breached) held.push({ kind: 'threshold', long: null, short: t.value, limit: target.target });
  }
  return held;
}

export interface AlertTrack {
  state: 'ok' | 'pending' | 'firing' | 'clearing';
  count: number;
  alertId: string | null;
  raisedAt: number | null;
}

export const idleTrack = (): AlertTrack => ({ state: 'ok', count: 0, alertId: null, raisedAt: null });

export type AlertStep = { track: AlertTrack; action: 'raise' | 'resolve' | 'none' };

/**
 * One evaluation of one alert's hysteresis: raised after `raiseAfter` consecutive evaluations with a
 * condition holding, resolved after `clearAfter` consecutive ones with none (judged with the margin).
 */
export function stepAlert(track: AlertTrack, holds: boolean, rules: Pick<AlertRules, 'raiseAfter' | 'clearAfter'>, newId: () => string, now: number): AlertStep {
  switch (track.state) {
    case 'ok':
    case 'pending': {
      if (!holds) return { track: idleTrack(), action: 'none' };
      const count = track.state === 'pending' ? track.count + 1 : 1;
      if (count >= rules.raiseAfter) return { track: { state: 'firing', count: 0, alertId: newId(), raisedAt: now }, action: 'raise' };
      return { track: { ...track, state: 'pending', count }, action: 'none' };
    }
    case 'firing':
    case 'clearing': {
      if (holds) return { track: { ...track, state: 'firing', count: 0 }, action: 'none' };
      const count = track.state === 'clearing' ? track.count + 1 : 1;
      if (count >= rules.clearAfter) return { track: idleTrack(), action: 'resolve' };
      return { track: { ...track, state: 'clearing', count }, action: 'none' };
    }
    default: {
      const unhandled: never = track.state;
      throw new Error(`unhandled alert state ${String(unhandled)}`);
    }
  }
}

/** Burn-rate alerts page (the budget goes fast); a threshold breach alone is a ticket. */
export function severityOf(conditions: AlertCondition[]): 'page' | 'ticket' {
  return conditions.some((c) => c.kind === 'burn_fast' || c.kind === 'burn_slow') ? 'page' : 'ticket';
}

export function alertSummary(slo: SloName, route: string, conditions: AlertCondition[]): string {
  const parts = conditions.map((c) => (c.kind === 'threshold' ? `value ${c.short} beyond target ${c.limit}` : `${c.kind === 'burn_fast' ? 'fast' : 'slow'} burn ${c.long}x/${c.short}x >= ${c.limit}x`));
  return `${slo} on ${route}: ${parts.join('; ')}`;
}
