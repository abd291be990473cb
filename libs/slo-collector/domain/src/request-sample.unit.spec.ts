import type { PayloadOf, RequestCompleted } from '@cp/shared/contracts';
import { countAbove, quantile, record, type Histogram } from './latency-histogram';
import { sampleOf } from './request-sample';

type Completed = PayloadOf<typeof RequestCompleted>;
const base: Completed = {
  requestId: 'r1',
  status: 200,
  outcome: 'ok',
  stream: false,
  timings: { receivedAt: '2026-03-01T10:00:00.000Z', totalMs: 120 },
  trail: { route: { route: 'fast' }, attempts: [{ provider: 'qwen', model: 'q', outcome: 'ok', latencyMs: 100, costUsd: 0.002 }], failover: false },
};
const withTrail = (extra: Record<string, unknown>): Completed => ({ ...base, trail: { ...base.trail!, ...extra } });

describe('sampleOf', () => {
  it('given a request served first time, then it is eligible, not degraded, timed at its receipt, with its cost', () => {
    expect(sampleOf(base, 0)).toMatchObject({ at: Date.parse('2026-03-01T10:00:00.000Z'), route: 'fast', eligible: true, latencyMs: 120, timedOut: false, served: true, degraded: false, spend: [{ provider: 'qwen', model: 'q', usd: 0.002 }] });
  });

  it.each([
    ['a fallback served it', { failover: true, attempts: [{ provider: 'qwen', model: 'q', outcome: 'skipped', errorClass: 'breaker_open', latencyMs: 0 }, { provider: 'gemini', model: 'g', outcome: 'ok', latencyMs: 5 }] }],
    ['it was shaped', { attempts: [{ provider: 'qwen', model: 'q', outcome: 'ok', latencyMs: 100, shaping: { level: 'moderate' } }] }],
    ['memory was degraded (string)', { memory: 'degraded' }],
    ['memory was degraded (layers)', { memory: { degraded: ['kb'] } }],
  ])('given %s, then it is degraded', (_, extra) => {
    expect(sampleOf(withTrail(extra), 0).degraded).toBe(true);
  });

  it('given shaping level none, then it is not degraded', () => {
    expect(sampleOf(withTrail({ attempts: [{ provider: 'qwen', model: 'q', outcome: 'ok', latencyMs: 100, shaping: { level: 'none' } }] }), 0).degraded).toBe(false);
  });

  it('given a provider call that timed out, then the request counts as timed out', () => {
    const s = sampleOf(withTrail({ attempts: [{ provider: 'qwen', model: 'q', outcome: 'error', errorClass: 'timeout', latencyMs: 30000 }, { provider: 'gemini', model: 'g', outcome: 'ok', latencyMs: 5 }] }), 0);
    expect(s).toMatchObject({ timedOut: true, degraded: true });
  });

  it('given the tool trail, then valid and repaired calls succeed, blocked, invalid and failed local runs fail, and repairs are listed', () => {
    const tools = [
      { tool: 'read', action: 'called', round: 0 },
      { tool: 'write', action: 'called', round: 0 },
      { tool: 'write', action: 'repaired', classes: ['param_names'], before: '{}', after: '{}', round: 0 },
      { tool: 'ghost', action: 'called', round: 0 },
      { tool: 'ghost', action: 'blocked', reason: 'not_offered', round: 0 },
      { tool: 'exec', action: 'called', round: 0 },
      { tool: 'exec', action: 'invalid', violations: ['x'], round: 0 },
      { tool: 'data_clean', action: 'called', round: 1 },
      { tool: 'data_clean', action: 'local_run', ok: false, ms: 3 },
      { tool: 'y', action: 'removed', reason: 'denied' },
    ];
    expect(sampleOf(withTrail({ tools }), 0)).toMatchObject({ toolOk: 2, toolFailed: 3, repairs: ['write: param_names'] });
  });

  it('given a client error or an abandoned request, then it is not eligible', () => {
    expect(sampleOf({ ...base, status: 400, outcome: 'error' }, 0).eligible).toBe(false);
    expect(sampleOf({ ...base, status: 429, outcome: 'error' }, 0).eligible).toBe(true);
    expect(sampleOf({ ...base, status: 0, outcome: 'abandoned' }, 0).eligible).toBe(false);
  });
});

describe('latency histogram', () => {
  it('given 1..1000 ms, then p95 is within 5 % of 950 and the count above 900 ms within one bucket of 100', () => {
    const h: Histogram = {};
    for (let ms = 1; ms <= 1000; ms++) record(h, ms);
    const p95 = quantile(h, 0.95)!;
    expect(p95).toBeGreaterThanOrEqual(950);
    expect(p95).toBeLessThanOrEqual(950 * 1.05);
    expect(Math.abs(countAbove(h, 900) - 100)).toBeLessThanOrEqual(45);
    expect(quantile({}, 0.95)).toBeNull();
  });
});
