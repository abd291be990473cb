import type { CompleteReply, CompleteRequest, DecisionTrail, ProviderAttempt, RpcError } from '@cp/shared/contracts';
import { BreakerBook, breakerKey, chooseRoute, findModel, findProvider, RouterDomainError, type BreakerTransition, type ProviderRegistry, type RouteDecision } from '@cp/router/domain';
import { callProvider } from './provider-call';
import type { HttpProviderClient } from './http-provider-client';

/**
 * The completion path: choose a route, then walk its candidates. An open breaker is skipped without a
 * network call; a failed call goes to the next candidate at once (no sleep); a 429 with a short
 * Retry-After is retried once on the same provider when the deadline allows. Every attempt, the route
 * decision and the breaker states seen go into the trail of the request's ledger event.
 */
export class CompletionPipeline {
  constructor(
    private readonly http: HttpProviderClient,
    private readonly registry: ProviderRegistry,
    private readonly breakers: BreakerBook,
    private readonly onTransition: (t: BreakerTransition) => void,
  ) {}

  async complete(req: CompleteRequest): Promise<CompleteReply> {
    let route: RouteDecision;
    try {
      route = chooseRoute(req.request, this.registry);
    } catch (err) {
      if (err instanceof RouterDomainError) return failedBeforeAnyAttempt({ status: err.httpStatus, code: err.code, type: err.type, message: err.message });
      throw err;
    }
    const attempts: ProviderAttempt[] = [];
    const breakers: Record<string, string> = {};
    const trail = (): DecisionTrail => ({ route, attempts, failover: attempts.some((a) => a.outcome !== 'ok'), breakers });

    for (const ref of route.candidates) {
      if (Date.now() >= req.deadlineAt) break;
      const provider = findProvider(this.registry, ref.provider);
      const model = findModel(this.registry, ref);
      if (!provider || !model) continue;
      const key = breakerKey(ref.provider, ref.model);
      const admission = this.breakers.admit(key);
      admission.transitions.forEach(this.onTransition);
      breakers[key] = admission.state;
      if (!admission.admitted) {
        attempts.push({ provider: ref.provider, model: ref.model, outcome: 'skipped', errorClass: 'breaker_open', latencyMs: 0 });
        continue;
      }
      let started = performance.now();
      let outcome = await callProvider(this.http, provider, model, req.request, req.deadlineAt);
      const retryAfter = outcome.ok ? undefined : outcome.classification.retryableAfterMs;
      if (retryAfter !== undefined && Date.now() + retryAfter < req.deadlineAt) {
        attempts.push(failedAttempt(ref.provider, ref.model, outcome, started));
        await new Promise((r) => setTimeout(r, retryAfter));
        started = performance.now();
        outcome = await callProvider(this.http, provider, model, req.request, req.deadlineAt);
      }
      if (outcome.ok) {
        this.breakers.recordSuccess(key).forEach(this.onTransition);
        breakers[key] = this.breakers.stateOf(key).status;
        attempts.push({ provider: ref.provider, model: ref.model, outcome: 'ok', latencyMs: ms(started), usage: outcome.response.usage });
        return { ok: true, response: outcome.response, provider: ref.provider, model: ref.model, trail: trail() };
      }
      this.breakers.recordFailure(key, outcome.classification.class).forEach(this.onTransition);
      breakers[key] = this.breakers.stateOf(key).status;
      attempts.push(failedAttempt(ref.provider, ref.model, outcome, started));
      if (!outcome.classification.failover) {
        return { ok: false, error: { status: outcome.status ?? 400, code: 'PROVIDER.REQUEST_REJECTED', type: 'invalid_request_error', message: `${ref.provider} rejected the request: ${outcome.message}` }, trail: trail() };
      }
    }
    const tried = attempts.map((a) => `${a.provider}/${a.model} (${a.errorClass ?? a.outcome})`).join(', ');
    return { ok: false, error: { status: 503, code: 'ROUTER.NO_HEALTHY_PROVIDER', type: 'service_unavailable', message: `no provider could serve the request; tried: ${tried || 'none'}` }, trail: trail() };
  }
}

/** The router's reply for a request that failed before any provider was tried (also the bus's error reply). */
export function failedBeforeAnyAttempt(error: RpcError): CompleteReply {
  return { ok: false, error, trail: { attempts: [], failover: false } };
}

function failedAttempt(provider: string, model: string, outcome: Awaited<ReturnType<typeof callProvider>>, started: number): ProviderAttempt {
  if (outcome.ok) throw new Error('not a failure');
  return { provider, model, outcome: 'error', errorClass: outcome.classification.class, status: outcome.status, message: outcome.message, latencyMs: ms(started) };
}

function ms(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
