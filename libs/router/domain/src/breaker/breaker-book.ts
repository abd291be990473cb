import type { ProviderErrorClass } from '../errors/provider-error-class';
import { type BreakerConfig, BreakerConfigSchema } from './breaker-config';
import { type BreakerIdentity, decideAdmission, decideFailure, decideMisconfigured, decideSuccess } from './breaker-decide';
import { type BreakerEvent, type BreakerTransition, isTransition } from './breaker-events';
import { type BreakerState, type BreakerStatus, evolveBreaker, INITIAL_BREAKER_STATE } from './breaker-state';

export interface AdmitResult {
  admitted: boolean;
  /** The breaker's state after the decision. */
  state: BreakerStatus;
  probe: boolean;
  /** Transitions this admission caused (a half-open), to publish. */
  transitions: BreakerTransition[];
  /** The breaker would let a probe through but the probe gate said not this replica: skipped as open. */
  probeHeld?: boolean;
}

/**
 * Who may send a half-open probe. The book asks only when its own decision would let a probe
 * through; the answer must come at once (the request path never waits on it), so an
 * implementation answers from what it already knows and fetches a grant in the background.
 * Without a gate every replica probes on its own.
 */
export interface ProbeGate {
  /** May this replica probe `key`, open since `openedAt` (the open period the probe is for), now? */
  mayProbe(key: string, openedAt: number | undefined): boolean;
}

/** Told of every transition the book commits, its own and applied ones (from replicas or the store). */
export type TransitionListener = (transition: BreakerTransition) => void;

export interface BreakerSnapshot {
  key: string;
  provider: string;
  model: string;
  state: BreakerStatus;
  consecutiveFailures: number;
  openedAt?: number;
  probeInFlight: boolean;
  probeStartedAt?: number;
  reason?: string;
  misconfigured?: boolean;
}

function identityOf(key: string): BreakerIdentity {
  const slash = key.indexOf('/');
  return slash < 0 ? { key, provider: key, model: '' } : { key, provider: key.slice(0, slash), model: key.slice(slash + 1) };
}

/**
 * The circuit breakers of one replica, one per `provider/model` key (see `breakerKey`). Local
 * outcomes go through `admit`/`recordSuccess`/`recordFailure`, which return the transitions to
 * publish; transitions from other replicas or the event store come in through `apply`.
 */
export class BreakerBook {
  private readonly config: BreakerConfig;
  private readonly states = new Map<string, BreakerState>();
  private gate?: ProbeGate;
  private readonly listeners: TransitionListener[] = [];

  constructor(config: Partial<BreakerConfig>, private readonly now: () => number) {
    this.config = BreakerConfigSchema.parse(config);
  }

  /** How long an open breaker refuses before its probe (`resetMs`). */
  get resetMs(): number {
    return this.config.resetMs;
  }

  /** From now on a probe goes out only when the gate allows it (see `ProbeGate`). */
  useProbeGate(gate: ProbeGate): void {
    this.gate = gate;
  }

  /** Adds a listener for every committed transition (see `TransitionListener`). */
  onTransition(listener: TransitionListener): void {
    this.listeners.push(listener);
  }

  admit(key: string): AdmitResult {
    const state = this.stateOf(key);
    const decision = decideAdmission(state, this.now(), this.config, identityOf(key));
    // A refused probe leaves the breaker as it was: open (or half-open with the probe elsewhere).
    if (decision.probe && this.gate && !this.gate.mayProbe(key, state.openedAt)) return { admitted: false, state: state.status, probe: false, transitions: [], probeHeld: true };
    const transitions = this.commit(key, decision.events);
    return { admitted: decision.admitted, state: this.stateOf(key).status, probe: decision.probe, transitions };
  }

  recordSuccess(key: string): BreakerTransition[] {
    return this.commit(key, decideSuccess(this.stateOf(key), this.now(), identityOf(key)));
  }

  recordFailure(key: string, errorClass: ProviderErrorClass): BreakerTransition[] {
    return this.commit(key, decideFailure(this.stateOf(key), errorClass, this.now(), this.config, identityOf(key)));
  }

  /** The provider refused the key, billing or access (see `decideMisconfigured`). */
  recordMisconfigured(key: string, reason: string, immediate = true): BreakerTransition[] {
    return this.commit(key, decideMisconfigured(this.stateOf(key), this.now(), this.config, identityOf(key), reason, immediate));
  }

  /** The probe ended without a verdict (cancelled, deadline of the whole request): free the slot. */
  releaseProbe(key: string): void {
    const state = this.stateOf(key);
    if (state.status === 'half_open' && state.probeInFlight) this.commit(key, [{ type: 'breaker.probe-released', at: this.now() }]);
  }

  /** Applies a transition from another replica or the event store; replaying them rebuilds the state. */
  apply(transition: BreakerTransition): void {
    this.commit(transition.key, [transition]);
  }

  stateOf(key: string): BreakerState {
    return this.states.get(key) ?? INITIAL_BREAKER_STATE;
  }

  snapshot(): BreakerSnapshot[] {
    return [...this.states.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, state]) => {
        const { provider, model } = identityOf(key);
        const snapshot: BreakerSnapshot = { key, provider, model, state: state.status, consecutiveFailures: state.consecutiveFailures, probeInFlight: state.probeInFlight };
        if (state.openedAt !== undefined) snapshot.openedAt = state.openedAt;
        if (state.probeStartedAt !== undefined) snapshot.probeStartedAt = state.probeStartedAt;
        if (state.reason !== undefined) snapshot.reason = state.reason;
        if (state.misconfigured) snapshot.misconfigured = true;
        return snapshot;
      });
  }

  /** `key -> state` of every breaker seen, for a request's decision trail. */
  statuses(): Record<string, BreakerStatus> {
    return Object.fromEntries([...this.states.entries()].map(([key, state]) => [key, state.status]));
  }

  private commit(key: string, events: BreakerEvent[]): BreakerTransition[] {
    if (events.length > 0) this.states.set(key, events.reduce(evolveBreaker, this.stateOf(key)));
    const transitions = events.filter(isTransition);
    for (const t of transitions) for (const listener of this.listeners) listener(t);
    return transitions;
  }
}
