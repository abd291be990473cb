import type { ProviderErrorClass } from './provider-error-class';
import { countsForBreaker } from './provider-error-class';

/** A failed provider call as the transport saw it. */
export interface ProviderFailure {
  kind: 'timeout' | 'connect' | 'reset' | 'http' | 'malformed' | 'schema';
  /** HTTP status, for `kind: 'http'`. */
  status?: number;
  /** Parsed `Retry-After`, see `parseRetryAfter`. */
  retryAfterMs?: number;
  /** Which deadline expired, for `kind: 'timeout'`. */
  phase?: 'connect' | 'first-byte' | 'total';
}

/** What the router does about a failure. */
export interface ProviderErrorClassification {
  class: ProviderErrorClass;
  /** Moves the provider+model circuit breaker. */
  countsForBreaker: boolean;
  /** Try the next candidate of the route within the same request. */
  failover: boolean;
  /** Set for a 429 whose Retry-After is short enough to wait for before failing over. */
  retryableAfterMs?: number;
  /** A 429's parsed Retry-After, however long: the hint passed on when every candidate was rate limited. */
  retryAfterMs?: number;
  /** The provider is set up wrongly (key, billing, permissions): alert the operator and skip it. */
  misconfigured: boolean;
  /**
   * What a misconfiguration concerns: `provider` (a rejected key or billing fails every model, so
   * all are skipped at once) or `model` (access can be per model, and one request can cause it, so
   * it counts for that model up to the breaker threshold).
   */
  misconfiguredScope?: 'provider' | 'model';
  /** Human-readable summary for the decision trail. */
  reason: string;
}

export interface ClassifierOptions {
  /** A 429 whose Retry-After is at most this long is retryable in place. Default 1000 ms. */
  shortRetryAfterMs: number;
}

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = { shortRetryAfterMs: 1000 };

function result(errorClass: ProviderErrorClass, failover: boolean, reason: string, extra: Partial<ProviderErrorClassification> = {}): ProviderErrorClassification {
  return { class: errorClass, countsForBreaker: countsForBreaker(errorClass), failover, misconfigured: false, reason, ...extra };
}

function classifyStatus(status: number | undefined, retryAfterMs: number | undefined, options: ClassifierOptions): ProviderErrorClassification {
  if (status === undefined) return result('server', true, 'HTTP error without a status');
  if (status === 400 || status === 422) return result('client', false, `HTTP ${status}: the request itself is invalid`);
  if (status === 401) return result('auth', true, 'HTTP 401: key rejected', { misconfigured: true, misconfiguredScope: 'provider' });
  if (status === 403) return result('auth', true, 'HTTP 403: access denied', { misconfigured: true, misconfiguredScope: 'model' });
  if (status === 402) return result('payment', true, 'HTTP 402: billing problem at the provider', { misconfigured: true, misconfiguredScope: 'provider' });
  if (status === 404) return result('not_found', true, 'HTTP 404: model or endpoint not found at the provider');
  if (status === 408) return result('timeout', true, 'HTTP 408: provider timed out');
  if (status === 429) {
    const short = retryAfterMs !== undefined && retryAfterMs <= options.shortRetryAfterMs;
    return result('rate_limited', true, `HTTP 429${retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`}`, { ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...(short ? { retryableAfterMs: retryAfterMs } : {}) });
  }
  if (status >= 500) return result('server', true, `HTTP ${status}: provider error`);
  if (status >= 400) return result('client', false, `HTTP ${status}: rejected by the provider`);
  // A redirect or an unexpected success code where an error was reported: the provider is not
  // speaking its API; treat it as a provider fault.
  return result('server', true, `unexpected HTTP ${status}`);
}

/**
 * Decides what a provider failure means: whether it fails over, whether it counts toward the
 * breaker, whether the provider is misconfigured. The table is in docs/routing.md.
 */
export function classifyProviderError(input: ProviderFailure, options: ClassifierOptions = DEFAULT_CLASSIFIER_OPTIONS): ProviderErrorClassification {
  switch (input.kind) {
    case 'timeout':
      return result('timeout', true, `timeout (${input.phase ?? 'total'})`);
    case 'connect':
      return result('connection', true, 'connection failed');
    case 'reset':
      return result('connection', true, 'connection reset');
    case 'malformed':
      return result('malformed_response', true, 'response is not valid JSON');
    case 'schema':
      return result('malformed_response', true, 'response does not match the wire schema');
    case 'http':
      return classifyStatus(input.status, input.retryAfterMs, options);
    default: {
      const unhandled: never = input.kind;
      throw new Error(`unhandled failure kind ${String(unhandled)}`);
    }
  }
}
