import type { ChatCompletionRequest, ChatCompletionResponse } from '@cp/shared/contracts';
import { adapterFor, classifyProviderError, parseRetryAfter, providerErrorDetail, type ModelSpec, type ProviderErrorClassification, type ProviderFailure, type ResolvedProvider } from '@cp/router/domain';
import { HttpProviderClient, ProviderTransportError, type ProviderHttpResponse } from './http-provider-client';
import { annotateOutcome, attemptAttributes, type AttemptContext } from './provider-span';

export type CallOutcome =
  | { ok: true; response: ChatCompletionResponse; usage?: ChatCompletionResponse['usage'] }
  | { ok: false; classification: ProviderErrorClassification; status?: number; message: string };

/** One non-streaming call to one provider in its own wire format; every failure comes back classified. */
export async function callProvider(http: HttpProviderClient, provider: ResolvedProvider, model: ModelSpec, request: ChatCompletionRequest, deadlineAt: number, attempt?: AttemptContext): Promise<CallOutcome> {
  const adapter = adapterFor(provider.wire);
  const built = adapter.buildRequest({ ...request, stream: false }, model, provider);
  const fail = (failure: ProviderFailure, message: string): CallOutcome => ({ ok: false, classification: classifyProviderError(failure), status: failure.status, message });
  try {
    return await http.send(
      { provider: provider.id, model: model.id, baseUrl: provider.baseUrl, path: built.path, headers: built.headers, body: built.body, timeouts: provider.timeouts, deadlineAt, attributes: attempt && attemptAttributes(attempt) },
      async (res, span) => {
        const outcome = await readReply(res);
        annotateOutcome(span, outcome.ok ? { ok: true, usage: outcome.usage, responseModel: outcome.response.model } : outcome);
        return outcome;
      },
    );
  } catch (err) {
    if (err instanceof ProviderTransportError) return fail(err.failure.kind === 'timeout' ? { kind: 'timeout', phase: err.failure.phase } : { kind: err.failure.kind }, err.message);
    return fail({ kind: 'connect' }, err instanceof Error ? err.message : String(err));
  }

  async function readReply(res: ProviderHttpResponse): Promise<CallOutcome> {
    if (res.status !== 200) {
      const detail = providerErrorDetail(await res.text().catch(() => ''), [provider.apiKey]);
      const retryAfter = res.headers['retry-after'];
      return fail({ kind: 'http', status: res.status, retryAfterMs: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, Date.now()) }, `provider answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      return fail({ kind: 'malformed' }, 'provider answered with malformed JSON');
    }
    try {
      const response = adapter.parseResponse(json, model.id);
      return { ok: true, response, usage: response.usage };
    } catch {
      return fail({ kind: 'schema' }, 'provider answered with an unexpected schema');
    }
  }
}
