import type { ChatCompletionRequest, ChatCompletionResponse, ShapingRecord } from '@cp/shared/contracts';
import { adapterFor, classifyProviderError, RouterDomainError, withinOutputLimit, type MaxTokensClamp, parseRetryAfter, providerErrorDetail, type ModelSpec, type ProviderErrorClassification, type ProviderFailure, type ResolvedProvider, type WireAdapter, type WireHttpRequest } from '@cp/router/domain';
import { HttpProviderClient, ProviderTransportError } from './http-provider-client';
import { annotated, attemptAttributes, type AttemptContext } from './provider-span';

export type CallOutcome =
  | { ok: true; response: ChatCompletionResponse; usage?: ChatCompletionResponse['usage'] }
  | { ok: false; classification: ProviderErrorClassification; status?: number; message: string };

/** A request translated to one provider's wire, ready to send, with the adapter that reads the answer. */
export interface PreparedCall {
  adapter: WireAdapter;
  built: WireHttpRequest;
  /** The client's token limit was above the model's and was lowered to it (recorded in the attempt). */
  clamped?: MaxTokensClamp;
  /** What request shaping did for this candidate (recorded in the attempt). */
  shaping?: ShapingRecord;
}

/**
 * Translates the request for one provider. Pure and done before the breaker is asked, so content the
 * wire cannot carry (`InvalidChatRequestError`, a 400 naming the field) never reaches a provider,
 * never counts against a breaker and never holds its half-open probe slot. A token limit above the
 * model's `maxOutput` is clamped to it here.
 */
export function prepareCall(provider: ResolvedProvider, model: ModelSpec, request: ChatCompletionRequest, stream: boolean): PreparedCall {
  const adapter = adapterFor(provider.wire);
  const limited = withinOutputLimit(request, model.maxOutput);
  return { adapter, built: adapter.buildRequest({ ...limited.request, stream }, model, provider), ...(limited.clamped ? { clamped: limited.clamped } : {}) };
}

/** One non-streaming call to one provider in its own wire format; every failure comes back classified. */
export async function callProvider(http: HttpProviderClient, provider: ResolvedProvider, model: ModelSpec, { adapter, built }: PreparedCall, deadlineAt: number, attempt?: AttemptContext): Promise<CallOutcome> {
  const fail = (failure: ProviderFailure, message: string): CallOutcome => ({ ok: false, classification: classifyProviderError(failure), status: failure.status, message });
  try {
    return await http.send(
      { provider: provider.id, model: model.id, baseUrl: provider.baseUrl, path: built.path, headers: built.headers, body: built.body, timeouts: provider.timeouts, deadlineAt, attributes: attempt && attemptAttributes(attempt), parent: attempt?.traceContext },
      annotated(model.id, async (res): Promise<CallOutcome> => {
        if (res.status !== 200) {
          const detail = providerErrorDetail(await res.text().catch(() => ''), [provider.apiKey]);
          const retryAfter = res.headers['retry-after'];
          return fail({ kind: 'http', status: res.status, retryAfterMs: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, Date.now()) }, `provider answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
        }
        let json: unknown;
        try {
          json = await res.json();
        } catch (err) {
          // Only unparseable bytes are malformed; a read cut off (too large, the deadline) is a transport failure.
          if (!(err instanceof SyntaxError)) throw err;
          return fail({ kind: 'malformed' }, 'provider answered with malformed JSON');
        }
        try {
          const response = adapter.parseResponse(json, model.id);
          return { ok: true, response, usage: response.usage };
        } catch (err) {
          // The adapters' messages name paths and limits, never the payload.
          return fail({ kind: 'schema' }, `provider answered with an unexpected schema${err instanceof RouterDomainError ? `: ${err.message}` : ''}`);
        }
      }),
    );
  } catch (err) {
    if (err instanceof ProviderTransportError) return fail(transportFailure(err), err.message);
    return fail({ kind: 'connect' }, err instanceof Error ? err.message : String(err));
  }
}

/** A transport failure as the classifier sees it: a reply too large to carry is a malformed one (failover, counts for the breaker). */
export function transportFailure(err: ProviderTransportError): ProviderFailure {
  const f = err.failure;
  if (f.kind === 'timeout') return { kind: 'timeout', phase: f.phase };
  return { kind: f.kind === 'too-large' ? 'malformed' : f.kind };
}
