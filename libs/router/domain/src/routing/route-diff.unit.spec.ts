import type { RouteDecision } from './route-decision';
import { routeDifferences } from './route-diff';

const decision = (route: string, candidates: string[], filtered: { ref: string; reason: string }[] = []): RouteDecision => ({
  requested: 'auto',
  route,
  candidates: candidates.map((c) => ({ provider: c.split('/')[0], model: c.split('/')[1] })),
  filtered: filtered.map((f) => ({ provider: f.ref.split('/')[0], model: f.ref.split('/')[1], reason: f.reason })),
  required: [],
  reason: 'test',
});

describe('routeDifferences', () => {
  it('given the same choice and closed breakers, then nothing differs', () => {
    const d = decision('simple', ['qwen/q', 'gemini/g']);
    expect(routeDifferences(d, { ok: true, decision: d }, { 'qwen/q': 'closed' })).toEqual([]);
  });

  it('given another route, a removed and a new candidate, a filter and an open breaker, then each is said', () => {
    const was = decision('simple', ['qwen/q', 'gemini/g']);
    const now = decision('complex', ['gemini/g', 'openai/o'], [{ ref: 'qwen/q', reason: 'lacks tools' }]);
    expect(routeDifferences(was, { ok: true, decision: now }, { 'gemini/g': 'open' })).toEqual([
      'route "simple" would now be "complex" (test)',
      'no longer candidates: qwen/q',
      'new candidates: openai/o',
      'first choice would be gemini/g instead of qwen/q',
      'qwen/q is now filtered out: lacks tools',
      "gemini/g's breaker is open now: it would be skipped",
    ]);
  });

  it('given a choice that now fails, then the error is the difference', () => {
    expect(routeDifferences(decision('simple', ['a/b']), { ok: false, code: 'ROUTER.UNKNOWN_MODEL', message: 'gone' }, {})).toEqual(['the route choice would now fail: ROUTER.UNKNOWN_MODEL: gone']);
  });
});
