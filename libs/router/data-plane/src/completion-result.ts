import type { ChatCompletionRequest, ChatCompletionResponse, DecisionTrail, Usage } from '@cp/shared/contracts';
import type { Context } from '@cp/shared/telemetry';

/** One completion as the data plane runs it: the client's validated request and its overall deadline. */
export interface CompletionRequest {
  request: ChatCompletionRequest;
  /** Epoch milliseconds by which every provider call of the request, failovers included, is over. */
  deadlineAt: number;
  /** The gateway's request id, set on each provider-call span (`cp.request.id`). */
  requestId?: string;
  /** The request's trace context (its HTTP server span): provider-call spans are its children. */
  traceContext?: Context;
}

/** Why a completion failed, with a stable code, in the shape the edge maps to the OpenAI error body once. */
export interface CompletionError {
  status: number;
  code: string;
  type: string;
  message: string;
  /** The request field the error is about (`model`, `messages[1].content[0].image_url.url`), when one is. */
  param?: string | null;
  /** Every provider that answered was rate limited with a Retry-After: the smallest, in whole seconds. */
  retryAfterSeconds?: number;
}

/** How a plain completion ended; the trail goes into the request's ledger event either way. */
export type CompletionResult =
  | { ok: true; response: ChatCompletionResponse; provider: string; model: string; trail: DecisionTrail }
  | { ok: false; error: CompletionError; trail: DecisionTrail };

/**
 * How a streamed completion ended, after its chunks went to the sink. Failover happens only before
 * the first chunk; after it, a failure ends the stream with `ok: false` and `incomplete: true`.
 */
export type StreamResult =
  | { ok: true; provider: string; model: string; usage?: Usage; chunks: number; trail: DecisionTrail }
  | {
      ok: false;
      error: CompletionError;
      /** Chunks had already been sent when the stream failed: the client got a partial answer. */
      incomplete: boolean;
      provider?: string;
      model?: string;
      usage?: Usage;
      chunks: number;
      trail: DecisionTrail;
    };
