import type { Usage } from '@cp/shared/contracts';
import { CpAttr, GenAi, SpanKind, SpanStatusCode, type Context, type Span, type Tracer } from '@cp/shared/telemetry';
import type { ProviderHttpResponse } from './http-provider-client';

/** What the pipeline knows about a provider call before it is made: the control plane's own span attributes. */
export interface AttemptContext {
  /** 1 for the first call of the request, counting retries and skipped candidates. */
  attempt: number;
  /** The breaker state this call was admitted in (`closed`, `half_open`). */
  breakerState: string;
  /** The call comes after a failed or skipped candidate. */
  failover: boolean;
  requestId?: string;
  /** What request shaping did to this candidate's request (`none`, `moderate`, `aggressive`). */
  shapingLevel?: string;
  /** The request's trace context: the provider-call span's parent (passed explicitly, see tracing.ts). */
  traceContext?: Context;
}

/**
 * The span of one provider call, the child of `parent`: `chat <model>`, kind client, the GenAI
 * attributes, the provider's address and the attempt's own (`attemptAttributes`).
 */
export function startProviderCallSpan(tracer: Tracer, call: { provider: string; model: string; attributes?: Record<string, string | number | boolean> }, server: { hostname: string; port: number }, parent: Context): Span {
  return tracer.startSpan(`chat ${call.model}`, {
    kind: SpanKind.CLIENT,
    attributes: { [GenAi.providerName]: call.provider, [GenAi.system]: call.provider, [GenAi.operation]: 'chat', [GenAi.requestModel]: call.model, 'server.address': server.hostname, 'server.port': server.port, ...call.attributes },
  }, parent);
}

export function attemptAttributes(a: AttemptContext): Record<string, string | number | boolean> {
  return { [CpAttr.attempt]: a.attempt, [CpAttr.breakerState]: a.breakerState, [CpAttr.failover]: a.failover, ...(a.requestId ? { [CpAttr.requestId]: a.requestId } : {}), ...(a.shapingLevel ? { [CpAttr.shapingLevel]: a.shapingLevel } : {}) };
}

/**
 * Adds a provider call's outcome to its span: response model and token usage, or `error.type` (the
 * error class). The provider's error text stays out of the span (it is in the ledger, redacted).
 */
export function annotateOutcome(span: Span | undefined, outcome: { ok: true; usage?: Usage; responseModel?: string } | { ok: false; classification: { class: string } }): void {
  if (!span) return;
  if (!outcome.ok) {
    span.setAttribute(GenAi.errorType, outcome.classification.class);
    span.setStatus({ code: SpanStatusCode.ERROR });
    return;
  }
  if (outcome.responseModel) span.setAttribute(GenAi.responseModel, outcome.responseModel);
  if (outcome.usage) {
    span.setAttribute(GenAi.inputTokens, outcome.usage.prompt_tokens);
    span.setAttribute(GenAi.outputTokens, outcome.usage.completion_tokens);
  }
}

type Read<O> = (res: ProviderHttpResponse) => Promise<O>;
type ReadOutcome = { ok: true; usage?: Usage; response?: { model?: string } } | { ok: false; classification: { class: string }; cancelled?: boolean };

/**
 * A provider reply reader whose outcome also goes on the call's span: the response model (the
 * reply's, else `model`), token usage, or the error class. A call the client cancelled is left as is.
 */
export function annotated<O extends ReadOutcome>(model: string, read: Read<O>): (res: ProviderHttpResponse, span: Span) => Promise<O> {
  return async (res, span) => {
    const outcome = await read(res);
    if (outcome.ok) annotateOutcome(span, { ok: true, usage: outcome.usage, responseModel: outcome.response?.model ?? model });
    else if (!outcome.cancelled) annotateOutcome(span, outcome);
    return outcome;
  };
}
