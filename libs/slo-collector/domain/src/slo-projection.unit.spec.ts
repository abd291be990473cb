import type { PayloadOf, RequestCompleted } from '@cp/shared/contracts';
import { DEFAULT_ALERT_RULES } from './alert-policy';
import { buildReport } from './slo-report';
import { evaluateSloAlerts, breakerAlert } from './slo-alerts';
import { OVERALL, SloProjection } from './slo-projection';
import { defaultTargets, TimeScale } from './slo-settings';

type Completed = PayloadOf<typeof RequestCompleted>;
const T0 = Date.parse('2026-03-01T10:00:00Z');

function request(at: number, opts: { fallback?: boolean; totalMs?: number; timeout?: boolean; route?: string; status?: number } = {}): Completed {
  const attempts = [
    ...(opts.fallback || opts.timeout ? [{ provider: 'qwen', model: 'q', outcome: 'error' as const, errorClass: opts.timeout ? 'timeout' : 'server', latencyMs: 5 }] : []),
    { provider: 'gemini', model: 'g', outcome: 'ok' as const, latencyMs: 5, costUsd: 0.001 },
  ];
  return {
    requestId: `r${at}`,
    status: opts.status ?? 200,
    outcome: 'ok',
    stream: false,
    timings: { receivedAt: new Date(at).toISOString(), totalMs: opts.totalMs ?? 100 },
    trail: { route: { route: opts.route ?? 'fast' }, attempts, failover: attempts.length > 1 },
  };
}

const settings = (scale = 1) => ({ time: new TimeScale(scale), targets: defaultTargets(), recoveryGraceMs: 30 * 60_000 / scale });

describe('SloProjection', () => {
  it('given healthy and failed-over requests, then degradation rate, latency p95 and timeout rate are computed per window, route and overall', () => {
    const p = new SloProjection(settings(), [], undefined, T0);
    for (let i = 0; i < 18; i++) p.applyRequest(request(T0 + i * 1000), T0);
    p.applyRequest(request(T0 + 20_000, { fallback: true }), T0);
    p.applyRequest(request(T0 + 21_000, { timeout: true, route: 'full', totalMs: 40_000 }), T0);
    const now = T0 + 30_000;
    expect(p.value(OVERALL, 'degradation_rate', '5m', now)).toMatchObject({ value: 0.1, verdict: 'fail', events: 20, burnRate: 2 });
    expect(p.value(OVERALL, 'timeout_rate', '5m', now)).toMatchObject({ value: 0.05, verdict: 'fail' });
    expect(p.value('fast', 'timeout_rate', '5m', now)).toMatchObject({ value: 0, verdict: 'pass', events: 19 });
    expect(p.value('full', 'latency_p95', '1h', now).value).toBeGreaterThan(30_000);
    expect(p.value(OVERALL, 'latency_p95', '1h', now)).toMatchObject({ verdict: 'pass' });
    expect(p.value(OVERALL, 'tool_success_rate', '1h', now)).toMatchObject({ value: null, verdict: 'no_data' });
  });

  it('given requests older than the window, then the short window forgets them while 30 days still counts them', () => {
    const p = new SloProjection(settings(), [], undefined, T0);
    for (let i = 0; i < 10; i++) p.applyRequest(request(T0 + i, { fallback: true }), T0);
    const later = T0 + 2 * 3_600_000;
    expect(p.value(OVERALL, 'degradation_rate', '5m', later).events).toBe(0);
    expect(p.value(OVERALL, 'degradation_rate', '30d', later)).toMatchObject({ value: 1, events: 10 });
  });

  it('given a client error (400) or an abandoned request, then it counts in no latency or timeout SLO', () => {
    const p = new SloProjection(settings(), [], undefined, T0);
    p.applyRequest({ ...request(T0), status: 400, outcome: 'error' }, T0);
    p.applyRequest({ ...request(T0), status: 0, outcome: 'abandoned' }, T0);
    expect(p.value(OVERALL, 'timeout_rate', '5m', T0 + 1).events).toBe(0);
  });

  it('given a time scale of 60, then the 5-minute window spans 5 seconds', () => {
    const p = new SloProjection(settings(60), [], undefined, T0);
    p.applyRequest(request(T0, { fallback: true }), T0);
    expect(p.value(OVERALL, 'degradation_rate', '5m', T0 + 3_000).events).toBe(1);
    expect(p.value(OVERALL, 'degradation_rate', '5m', T0 + 7_000).events).toBe(0);
    expect(p.value(OVERALL, 'degradation_rate', '1h', T0 + 7_000).events).toBe(1);
  });

  it('given breakers that open and close by themselves, then auto-recovery counts them; one still open past the grace counts against it', () => {
    const p = new SloProjection(settings(), [], undefined, T0);
    const t = (type: 'breaker.opened' | 'breaker.closed' | 'breaker.half-opened', key: string, at: number) => ({ type, key, provider: key.split('/')[0], model: 'm', at, consecutiveFailures: 3, reason: 'x' });
    p.applyBreaker(t('breaker.opened', 'a/m', T0));
    p.applyBreaker(t('breaker.half-opened', 'a/m', T0 + 1000));
    p.applyBreaker(t('breaker.opened', 'a/m', T0 + 1001));
    p.applyBreaker(t('breaker.closed', 'a/m', T0 + 5000));
    p.applyBreaker(t('breaker.opened', 'b/m', T0));
    expect(p.value(OVERALL, 'auto_recovery_rate', '1h', T0 + 60_000)).toMatchObject({ value: 1, events: 1 });
    expect(p.value(OVERALL, 'auto_recovery_rate', '1h', T0 + 31 * 60_000)).toMatchObject({ value: 0.5, events: 2, verdict: 'fail' });
  });

  it('given its state saved and loaded, then the values are the same', () => {
    const p = new SloProjection(settings(), [], undefined, T0);
    for (let i = 0; i < 5; i++) p.applyRequest(request(T0 + i, { fallback: i % 2 === 0 }), T0);
    const copy = new SloProjection(settings(), [], JSON.parse(JSON.stringify(p.toState())), T0);
    expect(buildReport(copy, T0 + 1000)).toEqual(buildReport(p, T0 + 1000));
  });
});

describe('evaluateSloAlerts', () => {
  const rules = { ...DEFAULT_ALERT_RULES, minEvents: 5, raiseAfter: 2, clearAfter: 2 };
  let n = 0;
  const id = () => `alert-${++n}`;

  it('given a sustained degradation, then one alert is raised after two evaluations, none more while it lasts, and it resolves after two clean evaluations', () => {
    const p = new SloProjection(settings(), [], undefined, T0);
    for (let i = 0; i < 20; i++) p.applyRequest(request(T0 + i * 100, { fallback: true }), T0);
    const at = T0 + 3000;
    expect(evaluateSloAlerts(p, rules, at, id).raised).toHaveLength(0);
    const second = evaluateSloAlerts(p, rules, at + 1000, id);
    expect(second.raised.map((a) => a.subject)).toEqual([{ kind: 'slo', slo: 'degradation_rate', route: OVERALL }]);
    expect(second.raised[0].conditions.map((c) => c.kind)).toEqual(['burn_fast', 'burn_slow', 'threshold']);
    expect(evaluateSloAlerts(p, rules, at + 2000, id).raised).toHaveLength(0);
    // Recovery: the short windows empty out.
    const later = T0 + 40 * 60_000;
    expect(evaluateSloAlerts(p, rules, later, id).resolved).toHaveLength(0);
    const resolved = evaluateSloAlerts(p, rules, later + 1000, id).resolved;
    expect(resolved.map((r) => r.alertId)).toEqual([second.raised[0].alertId]);
  });

  it('given one bad request among few, then nothing is raised (too few events)', () => {
    const p = new SloProjection(settings(), [], undefined, T0);
    p.applyRequest(request(T0, { fallback: true }), T0);
    for (let i = 0; i < 3; i++) expect(evaluateSloAlerts(p, rules, T0 + 1000 * i, id).raised).toHaveLength(0);
  });

  it('given a breaker opened for a misconfigured key, then it alerts at once and its closing resolves it', () => {
    const p = new SloProjection(settings(), [], undefined, T0);
    const opened = p.applyBreaker({ type: 'breaker.opened', key: 'openai/gpt-4o', provider: 'openai', model: 'gpt-4o', at: T0, consecutiveFailures: 1, reason: 'provider misconfigured: HTTP 401', misconfigured: true });
    const raised = breakerAlert(p, opened, T0, id).raised;
    expect(raised).toHaveLength(1);
    expect(raised[0].subject).toMatchObject({ kind: 'breaker_misconfigured', key: 'openai/gpt-4o' });
    const closed = p.applyBreaker({ type: 'breaker.closed', key: 'openai/gpt-4o', provider: 'openai', model: 'gpt-4o', at: T0 + 5, consecutiveFailures: 0, reason: 'probe succeeded' });
    expect(breakerAlert(p, closed, T0 + 5, id).resolved.map((r) => r.alertId)).toEqual([raised[0].alertId]);
  });
});
