import type { BreakerTransitioned, PayloadOf } from '@cp/shared/contracts';

type Transition = PayloadOf<typeof BreakerTransitioned>;

/** One outage of one breaker: from the first `opened` to the `closed` that ends it. */
export interface Episode {
  key: string;
  openedAt: number;
  closedAt: number | null;
  misconfigured: boolean;
  /** Closed by an operator (a transition whose reason starts with `operator`), not by a probe. */
  byOperator: boolean;
}

export interface BreakerView {
  key: string;
  state: string;
  at: number;
  misconfigured: boolean;
}

/** What a transition changed: an episode opened or closed (for the misconfigured alert), or nothing new. */
export type EpisodeChange = { kind: 'opened'; episode: Episode; reason: string; provider: string } | { kind: 'closed'; episode: Episode } | { kind: 'none' };

const MAX_EPISODES = 10_000;

/**
 * Breaker outages, from `router.breaker-transitioned`: re-opening after a failed half-open probe is
 * the same outage; replicas' duplicate transitions change nothing. Bounded: the oldest episodes go
 * first past 10 000, and episodes older than the longest window are pruned.
 */
export class RecoveryEpisodes {
  private episodes: Episode[] = [];
  private open = new Map<string, Episode>();
  private states = new Map<string, BreakerView>();

  apply(t: Transition): EpisodeChange {
    this.states.set(t.key, { key: t.key, state: t.type.replace('breaker.', ''), at: t.at, misconfigured: t.misconfigured === true });
    const current = this.open.get(t.key);
    if (t.type === 'breaker.closed') {
      if (!current) return { kind: 'none' };
      current.closedAt = t.at;
      current.byOperator = /^operator/i.test(t.reason);
      this.open.delete(t.key);
      return { kind: 'closed', episode: current };
    }
    if (t.type !== 'breaker.opened' || current) return { kind: 'none' };
    const episode: Episode = { key: t.key, openedAt: t.at, closedAt: null, misconfigured: t.misconfigured === true, byOperator: false };
    this.open.set(t.key, episode);
    this.episodes.push(episode);
    if (this.episodes.length > MAX_EPISODES) this.episodes.splice(0, this.episodes.length - MAX_EPISODES);
    return { kind: 'opened', episode, reason: t.reason, provider: t.provider };
  }

  /**
   * Episodes opened in `[from, now]` and judged: recovered (closed by a probe) or not (still open
   * after `graceMs`, or closed by an operator). Misconfigurations need an operator by nature: they
   * alert on their own and stay out of the rate. Still-open episodes younger than the grace wait.
   */
  judge(from: number, now: number, graceMs: number): { recovered: number; unrecovered: number } {
    let recovered = 0;
    let unrecovered = 0;
    for (const e of this.episodes) {
      if (e.misconfigured || e.openedAt < from || e.openedAt > now) continue;
      if (e.closedAt !== null && !e.byOperator) recovered++;
      else if (e.byOperator || now - e.openedAt > graceMs) unrecovered++;
    }
    return { recovered, unrecovered };
  }

  breakers(): BreakerView[] {
    return [...this.states.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  prune(before: number): void {
    this.episodes = this.episodes.filter((e) => e.openedAt >= before || e.closedAt === null);
  }

  toState(): { episodes: Episode[]; breakers: BreakerView[] } {
    return { episodes: this.episodes, breakers: this.breakers() };
  }

  static fromState(state: { episodes: Episode[]; breakers: BreakerView[] }): RecoveryEpisodes {
    const r = new RecoveryEpisodes();
    r.episodes = state.episodes;
    for (const e of r.episodes) if (e.closedAt === null) r.open.set(e.key, e);
    for (const b of state.breakers) r.states.set(b.key, b);
    return r;
  }
}
