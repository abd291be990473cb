import { catalogFailure, RouterProbeGrant, type ProbeGrantReply, type ProbeGrantRequest } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { ProbeLeaseBook } from '@cp/router/domain';
import type { PublishedTransition } from '@cp/router/data-plane';

/**
 * Serves `router.probe-grant`: one half-open probe per breaker key across every gateway replica.
 * A lease ends when its time is up or when its holder's outcome arrives as a live transition
 * (`breaker.opened` by the holder: the probe failed; `breaker.closed` by anyone: the provider is
 * back). Leases live in this process: a restarted router forgets them, which costs at most one
 * more probe. With several router replicas each keeps its own leases (the requests are spread by
 * the `router` queue group), so the single probe holds for a deployment with one router.
 */
export class ProbeGrantService {
  private readonly leases: ProbeLeaseBook;

  constructor(
    private readonly rt: Pick<ServiceRuntime, 'bus' | 'logger'>,
    leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.leases = new ProbeLeaseBook(leaseMs, now);
  }

  start(): void {
    this.rt.bus.serve(RouterProbeGrant, (req) => this.grant(req), 'router', catalogFailure);
  }

  grant(req: ProbeGrantRequest): ProbeGrantReply {
    const decision = this.leases.request(req.key, req.replica);
    if (decision.granted) this.rt.logger.info({ breaker: req.key, holder: req.replica, until: decision.until }, 'half-open probe granted');
    return { ok: true, ...decision, leaseMs: Math.max(0, decision.until - this.now()) };
  }

  /** A gateway's transition: the outcome of a probe frees its lease. */
  onTransition(t: PublishedTransition): void {
    const released = t.type === 'breaker.closed' ? this.leases.release(t.key) : t.type === 'breaker.opened' && t.origin !== undefined && this.leases.release(t.key, t.origin);
    if (released) this.rt.logger.info({ breaker: t.key, transition: t.type, origin: t.origin }, 'half-open probe lease released by its outcome');
  }
}
