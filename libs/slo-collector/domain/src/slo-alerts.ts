import { SLO_NAMES, type AlertRaisedPayload, type AlertResolvedPayload } from '@cp/shared/contracts';
import { conditionsHolding, alertSummary, idleTrack, severityOf, stepAlert, type AlertRules } from './alert-policy';
import type { JobFinding } from './job-monitor';
import type { EpisodeChange } from './recovery-episodes';
import { OVERALL, type SloProjection } from './slo-projection';

export interface AlertOutput {
  raised: AlertRaisedPayload[];
  resolved: AlertResolvedPayload[];
}

const none = (): AlertOutput => ({ raised: [], resolved: [] });

/** The resolve event of a raised alert. */
function resolvedOf(raised: AlertRaisedPayload, now: number): AlertResolvedPayload {
  return { alertId: raised.alertId, subject: raised.subject, summary: `resolved: ${raised.summary}`, raisedAt: raised.at, at: now };
}

/**
 * One evaluation of the SLO alerts (overall series): for each SLO, the burn-rate pairs and the
 * threshold check, through the hysteresis of `stepAlert`. Raised alerts are remembered in the
 * projection (so a restart neither forgets nor repeats them).
 */
export function evaluateSloAlerts(p: SloProjection, rules: AlertRules, now: number, newId: () => string): AlertOutput {
  const out = none();
  for (const slo of SLO_NAMES) {
    const key = `slo:${slo}:${OVERALL}`;
    const track = p.alertTrack(key);
    const firing = track.state === 'firing' || track.state === 'clearing';
    const minEvents = slo === 'auto_recovery_rate' ? 1 : rules.minEvents;
    const conditions = conditionsHolding((w) => p.value(OVERALL, slo, w, now), p.settings.targets[slo], rules, firing ? 1 - rules.clearMargin : 1, minEvents);
    const step = stepAlert(track, conditions.length > 0, rules, newId, now);
    if (step.action === 'raise' && step.track.alertId) {
      const raised: AlertRaisedPayload = { alertId: step.track.alertId, subject: { kind: 'slo', slo, route: OVERALL }, severity: severityOf(conditions), summary: alertSummary(slo, OVERALL, conditions), conditions, at: now };
      p.alerts.set(key, { ...step.track, raised });
      out.raised.push(raised);
    } else if (step.action === 'resolve' && track.raised) {
      p.alerts.delete(key);
      out.resolved.push(resolvedOf(track.raised, now));
    } else if (step.track.state === 'ok') p.alerts.delete(key);
    else p.alerts.set(key, { ...step.track, raised: track.raised });
  }
  return out;
}

/** A breaker opened for a misconfigured key raises an alert at once; its closing resolves it. */
export function breakerAlert(p: SloProjection, change: EpisodeChange, now: number, newId: () => string): AlertOutput {
  const out = none();
  if (change.kind === 'none' || !change.episode.misconfigured) return out;
  const key = `breaker:${change.episode.key}`;
  const track = p.alerts.get(key);
  if (change.kind === 'opened' && !track) {
    const raised: AlertRaisedPayload = {
      alertId: newId(),
      subject: { kind: 'breaker_misconfigured', key: change.episode.key, provider: change.provider, reason: change.reason },
      severity: 'page',
      summary: `${change.episode.key}: ${change.reason}`,
      conditions: [],
      at: now,
    };
    p.alerts.set(key, { ...idleTrack(), state: 'firing', alertId: raised.alertId, raisedAt: now, raised });
    out.raised.push(raised);
  } else if (change.kind === 'closed' && track?.raised) {
    p.alerts.delete(key);
    out.resolved.push(resolvedOf(track.raised, now));
  }
  return out;
}

/** A stale job raises an alert (besides its `slo.job-stale` event); its next heartbeat resolves it. */
export function jobAlert(p: SloProjection, f: JobFinding, now: number, newId: () => string): AlertOutput {
  const out = none();
  const key = `job:${f.job}`;
  const track = p.alerts.get(key);
  if (f.kind === 'stale' && !track) {
    const raised: AlertRaisedPayload = { alertId: newId(), subject: { kind: 'job_stale', job: f.job }, severity: 'ticket', summary: `job ${f.job} silent past its expected run plus ${Math.round(f.graceMs / 1000)} s grace`, conditions: [], at: now };
    p.alerts.set(key, { ...idleTrack(), state: 'firing', alertId: raised.alertId, raisedAt: now, raised });
    out.raised.push(raised);
  } else if (f.kind === 'recovered' && f.was === 'stale' && track?.raised) {
    p.alerts.delete(key);
    out.resolved.push(resolvedOf(track.raised, now));
  }
  return out;
}
