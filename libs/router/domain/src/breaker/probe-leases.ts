/** What the router answers a replica that asks to send the half-open probe of one breaker. */
export interface ProbeGrantDecision {
  granted: boolean;
  /** The replica holding the lease (the asker when granted). */
  holder: string;
  /** Epoch ms (the router's clock) when the lease ends unless its holder reports an outcome first. */
  until: number;
}

interface ProbeLease {
  holder: string;
  until: number;
}

/**
 * The router's half-open probe leases: at most one replica holds the probe of a breaker key at a
 * time, so a recovering provider gets one probe from the whole deployment instead of one per
 * gateway replica. A lease ends when its time is up (its holder died or got no request to probe
 * with) or when the holder's outcome arrives (`release`: the `breaker.closed` or `breaker.opened`
 * it publishes after the probe). Pure: the clock is injected.
 */
export class ProbeLeaseBook {
  private readonly leases = new Map<string, ProbeLease>();

  constructor(
    private readonly leaseMs: number,
    private readonly now: () => number,
  ) {
    if (!Number.isInteger(leaseMs) || leaseMs <= 0) throw new RangeError(`probe lease must be a positive integer of ms, got ${leaseMs}`);
  }

  /**
   * Grants the probe of `key` to `replica` unless another replica holds a live lease. The holder
   * asking again gets the same lease (not a longer one), so one replica cannot keep the probe forever.
   */
  request(key: string, replica: string): ProbeGrantDecision {
    const now = this.now();
    const current = this.leases.get(key);
    if (current && current.until > now) return { granted: current.holder === replica, holder: current.holder, until: current.until };
    const lease = { holder: replica, until: now + this.leaseMs };
    this.leases.set(key, lease);
    return { granted: true, ...lease };
  }

  /**
   * The probe of `key` has an outcome: the lease ends so the next open period can grant again.
   * With `holder`, only that replica's lease ends (another replica's late transition does not free
   * a probe it does not hold). Returns whether a lease ended.
   */
  release(key: string, holder?: string): boolean {
    const current = this.leases.get(key);
    if (!current || (holder !== undefined && current.holder !== holder)) return false;
    this.leases.delete(key);
    return true;
  }

  /** The live lease of `key`, if any. */
  holderOf(key: string): ProbeGrantDecision | undefined {
    const current = this.leases.get(key);
    if (!current || current.until <= this.now()) return undefined;
    return { granted: true, ...current };
  }
}
