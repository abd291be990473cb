import { countsForBreaker, type ProviderErrorClass } from '../errors/provider-error-class';
import type { BreakerConfig } from './breaker-config';
import type { BreakerEvent, BreakerTransition } from './breaker-events';
import type { BreakerState, BreakerStatus } from './breaker-state';

/** Which breaker a decision is about; copied onto its transitions. */
export interface BreakerIdentity {
  key: string;
  provider: string;
  model: string;
}

export interface AdmissionDecision {
  admitted: boolean;
  /** This request is the single probe of a half-open breaker. */
  probe: boolean;
  events: BreakerEvent[];
}

function transition(type: BreakerTransition['type'], id: BreakerIdentity, at: number, consecutiveFailures: number, reason: string): BreakerTransition {
  return { type, key: id.key, provider: id.provider, model: id.model, at, consecutiveFailures, reason };
}

function probeLeaseExpired(state: BreakerState, now: number, config: BreakerConfig): boolean {
  return state.probeStartedAt !== undefined && now - state.probeStartedAt >= config.probeLeaseMs;
}

/** May a request go to this provider+model now? Half-open lets exactly one probe through. */
export function decideAdmission(state: BreakerState, now: number, config: BreakerConfig, id: BreakerIdentity): AdmissionDecision {
  const status: BreakerStatus = state.status;
  switch (status) {
    case 'closed':
      return { admitted: true, probe: false, events: [] };
    case 'open': {
      const openedAt = state.openedAt ?? now;
      if (now - openedAt < config.resetMs) return { admitted: false, probe: false, events: [] };
      const reason = `reset period of ${config.resetMs} ms elapsed; letting one probe through`;
      return { admitted: true, probe: true, events: [transition('breaker.half-opened', id, now, state.consecutiveFailures, reason)] };
    }
    case 'half_open':
      if (state.probeInFlight && !probeLeaseExpired(state, now, config)) return { admitted: false, probe: false, events: [] };
      return { admitted: true, probe: true, events: [{ type: 'breaker.probe-started', at: now }] };
    default: {
      const unhandled: never = status;
      throw new Error(`unhandled breaker status ${String(unhandled)}`);
    }
  }
}

/**
 * A call failed with this class. Only classes that count (see `countsForBreaker`) move the breaker;
 * the others merely release a half-open probe so that the next request can probe.
 */
export function decideFailure(state: BreakerState, errorClass: ProviderErrorClass, now: number, config: BreakerConfig, id: BreakerIdentity): BreakerEvent[] {
  if (!countsForBreaker(errorClass)) {
    return state.status === 'half_open' && state.probeInFlight ? [{ type: 'breaker.probe-released', at: now }] : [];
  }
  switch (state.status) {
    case 'closed': {
      const failures = state.consecutiveFailures + 1;
      if (failures < config.failureThreshold) return [{ type: 'breaker.failure-counted', at: now }];
      return [transition('breaker.opened', id, now, failures, `${failures} consecutive failures (last: ${errorClass})`)];
    }
    case 'half_open':
      return [transition('breaker.opened', id, now, state.consecutiveFailures + 1, `probe failed (${errorClass})`)];
    case 'open':
      // The late result of a call admitted before the breaker opened: the breaker already knows.
      return [];
  }
}

/**
 * The provider refused the key, billing or access. `immediate` (a rejected key or billing, which
 * fail every request): this breaker opens now, whatever the count. Otherwise (a 403, which one
 * request can also cause, e.g. with a file the key may not read) it counts like a failure and
 * opens, marked misconfigured, at the threshold. A half-open probe refused this way reopens it;
 * an open breaker does not change.
 */
export function decideMisconfigured(state: BreakerState, now: number, config: BreakerConfig, id: BreakerIdentity, reason: string, immediate: boolean): BreakerEvent[] {
  if (state.status === 'open') return [];
  const failures = state.consecutiveFailures + 1;
  if (!immediate && state.status === 'closed' && failures < config.failureThreshold) return [{ type: 'breaker.failure-counted', at: now }];
  return [{ ...transition('breaker.opened', id, now, failures, `provider misconfigured: ${reason}`), misconfigured: true }];
}

/** A call succeeded: a half-open breaker closes; a closed one forgets its failures. */
export function decideSuccess(state: BreakerState, now: number, id: BreakerIdentity): BreakerEvent[] {
  switch (state.status) {
    case 'closed':
      return state.consecutiveFailures > 0 ? [{ type: 'breaker.failures-reset', at: now }] : [];
    case 'half_open':
      return [transition('breaker.closed', id, now, 0, 'probe succeeded')];
    case 'open':
      // A late success of a call admitted before opening does not prove the provider recovered.
      return [];
  }
}
