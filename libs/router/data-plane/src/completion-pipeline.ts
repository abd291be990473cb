import type { ChatCompletionRequest, DecisionTrail, ProviderAttempt, Usage } from '@cp/shared/contracts';
import type { ContextLengthExceededError } from '@cp/shaping/domain';
import { BreakerBook, breakerKey, chooseRoute, findModel, findProvider, InvalidChatRequestError, RouterDomainError, usageCostUsd, type BreakerTransition, type ModelRef, type ModelSpec, type ProviderErrorClassification, type ProviderRegistry, type ResolvedProvider, type RouteDecision } from '@cp/router/domain';
import { callProvider, prepareCall, type CallOutcome, type PreparedCall } from './provider-call';
import type { AttemptContext } from './provider-span';
import { streamProvider, type ChunkSink, type StreamOutcome } from './provider-stream';
import type { HttpProviderClient } from './http-provider-client';
import type { CompletionError, CompletionRequest, CompletionResult, StreamResult } from './completion-result';
import { beginTools, type PipelineTools } from './pipeline-tools';
import { completeWithTools, streamWithTools } from './tool-rounds';
import { shapingTarget, startShaping, tooLongAttempt, tooLongError } from './request-shaping';

type Failure = { ok: false; classification: ProviderErrorClassification; status?: number; message: string };
type Outcome = { ok: true; usage?: Usage } | Failure;

/** How one kind of call (plain or streamed) is made, and when a failure must stop the walk. */
interface CallKind<O extends Outcome> {
  /** Whether the provider is asked for a stream (the request is translated with it). */
  stream: boolean;
  /** The request as this candidate's wire takes it (tool schemas simplified per wire). */
  forWire: ForWire;
  call(provider: ResolvedProvider, model: ModelSpec, prepared: PreparedCall, attempt: AttemptContext): Promise<O>;
  /** A failure after which no other candidate may be tried (the client already has part of an answer). */
  committed(outcome: O): boolean;
}

/** How the walk over candidates ended. */
type WalkResult<O extends Outcome> =
  | { kind: 'served'; ref: ModelRef; outcome: O & { ok: true }; trail: DecisionTrail }
  | { kind: 'failed'; ref?: ModelRef; outcome?: O; error: CompletionError; trail: DecisionTrail };

/**
 * The completion path: choose a route, then walk its candidates. An open breaker is skipped without a
 * network call; a failed call goes to the next candidate at once (no sleep); a 429 with a short
 * Retry-After is retried once on the same provider when the deadline allows. A stream may fail over
 * only until its first chunk went out. Every attempt, the route decision and the breaker states
 * seen go into the trail of the request's ledger event.
 */
export class CompletionPipeline {
  constructor(
    private readonly http: HttpProviderClient,
    private registry: ProviderRegistry,
    private readonly breakers: BreakerBook,
    private readonly onTransition: (t: BreakerTransition) => void,
  ) {}

  private tools?: PipelineTools;

  /** A new registry version: requests that start from now on use it; breakers keep their state. */
  useRegistry(registry: ProviderRegistry): void {
    this.registry = registry;
  }

  /** Tool governance (policy, repair, local tools); without it tools pass through untouched. */
  useTools(tools: PipelineTools): void {
    this.tools = tools;
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    const tools = beginTools(this.tools, req);
    if (tools.kind === 'refused') return { ok: false, error: tools.error, trail: tools.trail };
    if (tools.kind === 'session') return completeWithTools(tools.session, req, (r) => this.completeOnce(r, tools.session.forWire.bind(tools.session)), this.tools?.runner, tools.localTimeoutMs);
    return this.completeOnce(req);
  }

  /** Streams the completion into the sink and says how it ended. */
  async stream(req: CompletionRequest, sink: ChunkSink): Promise<StreamResult> {
    const tools = beginTools(this.tools, req);
    if (tools.kind === 'refused') return { ok: false, error: tools.error, incomplete: false, chunks: 0, trail: tools.trail };
    if (tools.kind === 'session') return streamWithTools(tools.session, req, sink, (r, s) => this.streamOnce(r, s, tools.session.forWire.bind(tools.session)), this.tools?.runner, tools.localTimeoutMs);
    return this.streamOnce(req, sink);
  }

  private async completeOnce(req: CompletionRequest, forWire: ForWire = sameRequest): Promise<CompletionResult> {
    const result = await this.walk<CallOutcome>(req, {
      stream: false,
      forWire,
      call: (provider, model, prepared, attempt) => callProvider(this.http, provider, model, prepared, req.deadlineAt, attempt),
      committed: () => false,
    });
    if (result.kind === 'served') return { ok: true, response: result.outcome.response, provider: result.ref.provider, model: result.ref.model, trail: result.trail };
    return { ok: false, error: result.error, trail: result.trail };
  }

  private async streamOnce(req: CompletionRequest, sink: ChunkSink, forWire: ForWire = sameRequest): Promise<StreamResult> {
    const result = await this.walk<StreamOutcome>(req, {
      stream: true,
      forWire,
      call: (provider, model, prepared, attempt) => streamProvider(this.http, provider, model, req.request, prepared, req.deadlineAt, sink, attempt),
      committed: (outcome) => !outcome.ok && (outcome.chunks > 0 || outcome.cancelled === true),
    });
    if (result.kind === 'served') return { ok: true, provider: result.ref.provider, model: result.ref.model, usage: result.outcome.usage, chunks: result.outcome.chunks, trail: result.trail };
    const partial = result.outcome && !result.outcome.ok ? result.outcome : undefined;
    return { ok: false, error: result.error, incomplete: (partial?.chunks ?? 0) > 0, provider: result.ref?.provider, model: result.ref?.model, usage: partial?.usage, chunks: partial?.chunks ?? 0, trail: result.trail };
  }

  private async walk<O extends Outcome>(req: CompletionRequest, kind: CallKind<O>): Promise<WalkResult<O>> {
    let route: RouteDecision;
    try {
      route = chooseRoute(req.request, this.registry);
    } catch (err) {
      if (err instanceof RouterDomainError) return { kind: 'failed', error: { status: err.httpStatus, code: err.code, type: err.type, message: err.message }, trail: { attempts: [], failover: false } };
      throw err;
    }
    const attempts: ProviderAttempt[] = [];
    // Retry-After of each rate-limited answer; `null` once a provider answered anything else.
    let retryHints: number[] | null = [];
    const breakers: Record<string, string> = {};
    // Candidates the request fits whole go first; each call gets the request shaped for its model.
    const shaping = startShaping(req.request, route, this.registry);
    let tooLong: ContextLengthExceededError | undefined;
    const trail = (): DecisionTrail => ({ route, attempts, failover: attempts.some((a) => a.outcome !== 'ok'), breakers, ...(shaping.order ? { shapingOrder: shaping.order } : {}) });

    for (const ref of shaping.candidates) {
      if (Date.now() >= req.deadlineAt) break;
      const provider = findProvider(this.registry, ref.provider);
      const model = findModel(this.registry, ref);
      if (!provider || !model) continue;
      // Shaped before the breaker is asked, like the translation: a request too long for this model never holds its probe slot.
      const shaped = await shaping.shaper.shapeFor(shapingTarget(provider, model));
      if (!shaped.ok) {
        tooLong ??= shaped.error;
        attempts.push(tooLongAttempt(ref, shaped.error, shaped.record));
        continue;
      }
      let prepared: PreparedCall;
      try {
        prepared = prepareCall(provider, model, kind.forWire(shaped.request, provider.wire), kind.stream);
        prepared.shaping = shaped.record;
      } catch (err) {
        if (!(err instanceof InvalidChatRequestError)) throw err;
        attempts.push({ provider: ref.provider, model: ref.model, outcome: 'error', errorClass: 'client', message: err.message, latencyMs: 0 });
        return { kind: 'failed', ref, error: { status: err.httpStatus, code: err.code, type: err.type, message: err.message, param: err.param ?? null }, trail: trail() };
      }
      const key = breakerKey(ref.provider, ref.model);
      const admission = this.breakers.admit(key);
      admission.transitions.forEach(this.onTransition);
      breakers[key] = admission.state;
      if (!admission.admitted) {
        attempts.push({ provider: ref.provider, model: ref.model, outcome: 'skipped', errorClass: 'breaker_open', latencyMs: 0 });
        continue;
      }
      // The span of each call says which attempt it is (its index in the trail), the breaker state it was admitted in, whether an earlier candidate failed, and the shaping level.
      const attemptOf = (): AttemptContext => ({ attempt: attempts.length + 1, breakerState: admission.state, failover: attempts.some((a) => a.provider !== ref.provider || a.model !== ref.model), requestId: req.requestId, shapingLevel: prepared.shaping?.level, traceContext: req.traceContext });
      let started = performance.now();
      let outcome = await kind.call(provider, model, prepared, attemptOf());
      const retryAfter = outcome.ok || kind.committed(outcome) ? undefined : outcome.classification.retryableAfterMs;
      if (retryAfter !== undefined && Date.now() + retryAfter < req.deadlineAt) {
        attempts.push(failedAttempt(ref, outcome as Failure, started, prepared));
        await new Promise((r) => setTimeout(r, retryAfter));
        started = performance.now();
        outcome = await kind.call(provider, model, prepared, attemptOf());
      }
      if (outcome.ok) {
        this.breakers.recordSuccess(key).forEach(this.onTransition);
        breakers[key] = this.breakers.stateOf(key).status;
        attempts.push({ provider: ref.provider, model: ref.model, outcome: 'ok', latencyMs: ms(started), usage: outcome.usage, ...(outcome.usage ? { costUsd: usageCostUsd(outcome.usage, model.pricePerMTok) } : {}), ...clampOf(prepared) });
        return { kind: 'served', ref, outcome: outcome as O & { ok: true }, trail: trail() };
      }
      const cancelled = (outcome as { cancelled?: boolean }).cancelled === true;
      if (cancelled) this.breakers.releaseProbe(key);
      else if (outcome.classification.misconfiguredScope === 'model') this.breakers.recordMisconfigured(key, outcome.classification.reason, false).forEach(this.onTransition);
      else if (outcome.classification.misconfiguredScope === 'provider') {
        for (const m of provider.models) this.breakers.recordMisconfigured(breakerKey(provider.id, m.id), outcome.classification.reason).forEach(this.onTransition);
      } else this.breakers.recordFailure(key, outcome.classification.class).forEach(this.onTransition);
      breakers[key] = this.breakers.stateOf(key).status;
      attempts.push(failedAttempt(ref, outcome, started, prepared));
      const hint = outcome.classification.retryAfterMs;
      retryHints = retryHints && hint !== undefined && outcome.classification.class === 'rate_limited' ? [...retryHints, hint] : null;
      if (cancelled) return { kind: 'failed', ref, outcome, error: { status: 499, code: 'CLIENT.CANCELLED', type: 'invalid_request_error', message: 'the client closed the stream' }, trail: trail() };
      if (kind.committed(outcome)) {
        return { kind: 'failed', ref, outcome, error: { status: 502, code: 'PROVIDER.STREAM_INTERRUPTED', type: 'server_error', message: `the stream from ${ref.provider}/${ref.model} was interrupted: ${outcome.message}` }, trail: trail() };
      }
      if (!outcome.classification.failover) {
        return { kind: 'failed', ref, outcome, error: { status: outcome.status ?? 400, code: 'PROVIDER.REQUEST_REJECTED', type: 'invalid_request_error', message: `${ref.provider} rejected the request: ${outcome.message}` }, trail: trail() };
      }
    }
    // Each attempt with its class and what went wrong (our message, or the provider's, already cut and redacted).
    // Nothing failed but the fit: the client must shorten the request, and no other provider would help.
    if (tooLong && !attempts.some((a) => a.outcome === 'error')) return { kind: 'failed', error: tooLongError(tooLong), trail: trail() };
    const tried = attempts.map((a) => `${a.provider}/${a.model} (${a.errorClass ?? a.outcome}${a.message ? `: ${a.message}` : ''})`).join(', ');
    const retryAfter = retryAfterSeconds(retryHints);
    return { kind: 'failed', error: { status: 503, code: 'ROUTER.NO_HEALTHY_PROVIDER', type: 'service_unavailable', message: `no provider could serve the request; tried: ${tried || 'none'}`, ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }) }, trail: trail() };
  }
}

/** The request as one candidate's wire takes it (tool schemas simplified for Gemini). */
type ForWire = (request: ChatCompletionRequest, wire: string) => ChatCompletionRequest;
const sameRequest: ForWire = (request) => request;

function failedAttempt(ref: ModelRef, outcome: Failure, started: number, prepared: PreparedCall): ProviderAttempt {
  return { provider: ref.provider, model: ref.model, outcome: 'error', errorClass: outcome.classification.class, status: outcome.status, message: outcome.message, latencyMs: ms(started), ...clampOf(prepared) };
}

/** The smallest Retry-After, when every provider that answered gave one (skipped candidates did not answer). */
function retryAfterSeconds(hints: number[] | null): number | undefined {
  if (!hints || hints.length === 0) return undefined;
  return Math.max(0, Math.ceil(Math.min(...hints) / 1000));
}

/** What the attempt records about how the request was prepared: a clamped token limit, the shaping record. */
function clampOf(prepared: PreparedCall): Pick<ProviderAttempt, 'maxTokensClamped' | 'shaping'> {
  const noted: Pick<ProviderAttempt, 'maxTokensClamped' | 'shaping'> = {};
  if (prepared.clamped) noted.maxTokensClamped = prepared.clamped;
  if (prepared.shaping) noted.shaping = prepared.shaping;
  return noted;
}

function ms(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
