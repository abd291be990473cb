import type { Usage } from '@cp/shared/contracts';
import { CpAttr, GenAi, SpanStatusCode, type Span } from '@cp/shared/telemetry';

/** What the pipeline knows about a provider call before it is made: the control plane's own span attributes. */
export interface AttemptContext {
  /** 1 for the first call of the request, counting retries and skipped candidates. */
  attempt: number;
  /** The breaker state this call was admitted in (`closed`, `half_open`). */
  breakerState: string;
  /** The call comes after a failed or skipped candidate. */
  failover: boolean;
  requestId?: string;
}

export function attemptAttributes(a: AttemptContext): Record<string, string | number | boolean> {
  return { [CpAttr.attempt]: a.attempt, [CpAttr.breakerState]: a.breakerState, [CpAttr.failover]: a.failover, ...(a.requestId ? { [CpAttr.requestId]: a.requestId } : {}) };
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
