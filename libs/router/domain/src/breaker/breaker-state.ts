import { type BreakerEvent, isTransition } from './breaker-events';

export type BreakerStatus = 'closed' | 'open' | 'half_open';

/** The state of one provider+model breaker. */
export interface BreakerState {
  status: BreakerStatus;
  consecutiveFailures: number;
  openedAt?: number;
  probeInFlight: boolean;
  /** When the current probe was let through, to expire a lost one. */
  probeStartedAt?: number;
  /** Time of the last transition; older transitions arriving later are ignored. */
  changedAt?: number;
  /** Why it opened, while open or half-open. */
  reason?: string;
  /** It opened because the provider refused the key, billing or access. */
  misconfigured?: boolean;
}

export const INITIAL_BREAKER_STATE: BreakerState = { status: 'closed', consecutiveFailures: 0, probeInFlight: false };

/** Applies one event. Pure; a stale transition (older than the last one applied) changes nothing. */
export function evolveBreaker(state: BreakerState, event: BreakerEvent): BreakerState {
  // Replicas publish concurrently: a transition older than the last one applied is history.
  if (isTransition(event) && state.changedAt !== undefined && event.at < state.changedAt) return state;
  switch (event.type) {
    case 'breaker.opened':
      return { status: 'open', consecutiveFailures: event.consecutiveFailures, openedAt: event.at, probeInFlight: false, changedAt: event.at, reason: event.reason, ...(event.misconfigured ? { misconfigured: true } : {}) };
    case 'breaker.half-opened':
      return {
        status: 'half_open',
        consecutiveFailures: event.consecutiveFailures,
        openedAt: state.openedAt,
        probeInFlight: true,
        probeStartedAt: event.at,
        changedAt: event.at,
        reason: state.reason,
        ...(state.misconfigured ? { misconfigured: true } : {}),
      };
    case 'breaker.closed':
      return { status: 'closed', consecutiveFailures: 0, probeInFlight: false, changedAt: event.at };
    case 'breaker.failure-counted':
      return { ...state, consecutiveFailures: state.consecutiveFailures + 1 };
    case 'breaker.failures-reset':
      return { ...state, consecutiveFailures: 0 };
    case 'breaker.probe-started':
      return { ...state, probeInFlight: true, probeStartedAt: event.at };
    case 'breaker.probe-released':
      return { ...state, probeInFlight: false, probeStartedAt: undefined };
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled breaker event ${JSON.stringify(unhandled)}`);
    }
  }
}
