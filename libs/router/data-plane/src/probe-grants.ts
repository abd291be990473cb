import type { BreakerBook, BreakerTransition, ProbeGate } from '@cp/router/domain';

/** The router's answer to one grant request, or why there was none (`unavailable`: timeout, no responders, error reply). */
export type GrantAnswer = { kind: 'granted'; holder: string; leaseMs: number } | { kind: 'refused'; holder: string; leaseMs: number } | { kind: 'unavailable'; code: string; message: string };

/** Asks the router for the probe of one breaker key; never throws, always ends within its own deadline. */
export type GrantAsker = (key: string) => Promise<GrantAnswer>;

/** What this replica knows about the probe of one open period (`openedAt`) of one breaker. */
type Entry =
  | { openedAt: number | undefined; status: 'pending' }
  | { openedAt: number | undefined; status: 'granted' | 'refused'; until: number }
  /** The router could not be asked: this replica probes on its own (availability first). */
  | { openedAt: number | undefined; status: 'alone' };

export interface GrantLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/**
 * The gateway side of the single half-open probe: a `ProbeGate` that answers from what it already
 * knows (the request path never waits on the router) and asks the router in the background. It asks
 * when an open breaker reaches its reset time (a timer per open breaker, so the grant is usually
 * there when the first request after the reset comes), when an admission finds no answer for the
 * current open period, and again when a refused lease runs out without an outcome. Refused or still
 * pending: the breaker stays open here and the request fails over at once. No answer from the
 * router: this replica probes on its own, as before grants existed.
 */
export class ProbeGrants implements ProbeGate {
  private readonly entries = new Map<string, Entry>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly book: BreakerBook,
    private readonly ask: GrantAsker,
    private readonly log: GrantLog,
    private readonly now: () => number = Date.now,
  ) {
    book.useProbeGate(this);
    book.onTransition((t) => this.onTransition(t));
  }

  mayProbe(key: string, openedAt: number | undefined): boolean {
    const entry = this.entries.get(key);
    if (!entry || entry.openedAt !== openedAt) return this.request(key, openedAt), false;
    switch (entry.status) {
      case 'alone':
        return true;
      case 'pending':
        return false;
      case 'granted':
      case 'refused':
        if (this.now() < entry.until) return entry.status === 'granted';
        // The lease ran out: whoever asks first may probe now (the holder too).
        this.request(key, openedAt);
        return false;
    }
  }

  /** Stops every timer; answers that arrive later are dropped. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** What this replica holds, for health details. */
  snapshot(): Record<string, string> {
    return Object.fromEntries([...this.entries].map(([key, e]) => [key, e.status]));
  }

  private onTransition(t: BreakerTransition): void {
    if (t.type === 'breaker.half-opened') return;
    this.clearTimer(t.key);
    this.entries.delete(t.key);
    // A new open period: ask for its probe when the reset time comes (at once for a restored one already past it).
    if (t.type === 'breaker.opened') this.schedule(t.key, t.at, t.at + this.book.resetMs - this.now());
  }

  private schedule(key: string, openedAt: number, inMs: number): void {
    if (this.stopped) return;
    this.clearTimer(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      const state = this.book.stateOf(key);
      // The breaker moved on (closed, or reopened: that transition scheduled its own timer).
      if (state.status === 'closed' || state.openedAt !== openedAt) return;
      this.request(key, openedAt);
    }, Math.max(0, inMs));
    timer.unref();
    this.timers.set(key, timer);
  }

  private clearTimer(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  private request(key: string, openedAt: number | undefined): void {
    if (this.stopped) return;
    this.entries.set(key, { openedAt, status: 'pending' });
    void this.ask(key).then((answer) => this.settle(key, openedAt, answer));
  }

  private settle(key: string, openedAt: number | undefined, answer: GrantAnswer): void {
    const entry = this.entries.get(key);
    // An answer for an open period that is over (closed or reopened meanwhile) is history.
    if (this.stopped || !entry || entry.status !== 'pending' || entry.openedAt !== openedAt) return;
    if (answer.kind === 'unavailable') {
      this.entries.set(key, { openedAt, status: 'alone' });
      this.log.warn({ breaker: key, code: 'ROUTER.PROBE_GRANT_UNAVAILABLE', reason: answer.code, err: answer.message }, 'no probe grant from the router; this replica probes on its own');
      return;
    }
    const until = this.now() + answer.leaseMs;
    this.entries.set(key, { openedAt, status: answer.kind, until });
    this.log.info({ breaker: key, grant: answer.kind, holder: answer.holder, leaseMs: answer.leaseMs }, answer.kind === 'granted' ? 'probe granted to this replica' : 'probe granted to another replica');
    // Refused: if the holder reports no outcome within its lease, ask again when the lease ends.
    if (answer.kind === 'refused' && openedAt !== undefined) this.schedule(key, openedAt, answer.leaseMs);
  }
}
