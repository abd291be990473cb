import { classifyProviderError, type ProviderFailure } from './classify-provider-error';
import { parseRetryAfter } from './retry-after';

describe('classifyProviderError', () => {
  describe('classification table', () => {
    it.each<[string, ProviderFailure, string, boolean, boolean, boolean]>([
      // name, input, class, countsForBreaker, failover, misconfigured
      ['a first-byte timeout', { kind: 'timeout', phase: 'first-byte' }, 'timeout', true, true, false],
      ['a refused connection', { kind: 'connect' }, 'connection', true, true, false],
      ['a reset connection', { kind: 'reset' }, 'connection', true, true, false],
      ['HTTP 500', { kind: 'http', status: 500 }, 'server', true, true, false],
      ['HTTP 503', { kind: 'http', status: 503 }, 'server', true, true, false],
      ['HTTP 529 (overloaded)', { kind: 'http', status: 529 }, 'server', true, true, false],
      ['HTTP 408', { kind: 'http', status: 408 }, 'timeout', true, true, false],
      ['HTTP 429 without Retry-After', { kind: 'http', status: 429 }, 'rate_limited', true, true, false],
      ['invalid JSON', { kind: 'malformed' }, 'malformed_response', true, true, false],
      ['a wrong schema', { kind: 'schema' }, 'malformed_response', true, true, false],
      ['HTTP 400', { kind: 'http', status: 400 }, 'client', false, false, false],
      ['HTTP 422', { kind: 'http', status: 422 }, 'client', false, false, false],
      ['HTTP 401', { kind: 'http', status: 401 }, 'auth', false, true, true],
      ['HTTP 403', { kind: 'http', status: 403 }, 'auth', false, true, true],
      ['HTTP 402', { kind: 'http', status: 402 }, 'payment', false, true, true],
      ['HTTP 404', { kind: 'http', status: 404 }, 'not_found', false, true, false],
    ])('Given %s, When classified, Then the class, breaker count, failover and misconfiguration follow the table', (_name, input, errorClass, counts, failover, misconfigured) => {
      const result = classifyProviderError(input);
      expect({ class: result.class, countsForBreaker: result.countsForBreaker, failover: result.failover, misconfigured: result.misconfigured }).toEqual({
        class: errorClass,
        countsForBreaker: counts,
        failover,
        misconfigured,
      });
    });
  });

  it.each([
    [401, 'provider'],
    [402, 'provider'],
    [403, 'model'],
  ] as const)('Given HTTP %s, When classified, Then the misconfiguration concerns the %s', (status, scope) => {
    expect(classifyProviderError({ kind: 'http', status }).misconfiguredScope).toBe(scope);
  });

  describe('rate limits', () => {
    it('Given a 429 with Retry-After of 800 ms, When classified, Then it is retryable after 800 ms and still fails over if not retried', () => {
      const result = classifyProviderError({ kind: 'http', status: 429, retryAfterMs: 800 });
      expect(result).toMatchObject({ class: 'rate_limited', retryableAfterMs: 800, failover: true, countsForBreaker: true });
    });

    it('Given a 429 with Retry-After of 30 s, When classified, Then it is not retryable in place', () => {
      expect(classifyProviderError({ kind: 'http', status: 429, retryAfterMs: 30_000 }).retryableAfterMs).toBeUndefined();
    });

    it('Given a threshold raised to 5 s, When a 429 asks for 3 s, Then it is retryable', () => {
      expect(classifyProviderError({ kind: 'http', status: 429, retryAfterMs: 3000 }, { shortRetryAfterMs: 5000 }).retryableAfterMs).toBe(3000);
    });

    it('Given a Retry-After header in seconds, When parsed and classified, Then both agree', () => {
      const retryAfterMs = parseRetryAfter('1', 0);
      expect(classifyProviderError({ kind: 'http', status: 429, retryAfterMs }).retryableAfterMs).toBe(1000);
    });
  });
});
