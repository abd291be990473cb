import type { ChatCompletionRequest, Usage } from '@cp/shared/contracts';
import { classifyProviderError, parseRetryAfter, providerErrorDetail, RouterDomainError, type ModelSpec, type ProviderErrorClassification, type ProviderFailure, type ResolvedProvider } from '@cp/router/domain';
import { createParser } from 'eventsource-parser';
import type { CancelSignal } from './call-abort';
import { HttpProviderClient, ProviderTransportError, replyTooLarge } from './http-provider-client';
import { annotated, attemptAttributes, type AttemptContext } from './provider-span';
import { transportFailure, type PreparedCall } from './provider-call';

/** Where translated chunks go, one JSON text each, and how the caller says it is gone. */
export interface ChunkSink {
  chunk(json: string): void;
  readonly signal: CancelSignal;
  /**
   * The provider's stream is complete (its terminator came): no more chunks will come from this
   * call. A hint that lets the sink hold what it has for the answer's end; sinks that may get more
   * rounds (tools) leave it out.
   */
  ending?(): void;
}

export type StreamOutcome = { ok: true; chunks: number; usage?: Usage } | StreamFailure;

export interface StreamFailure {
      ok: false;
      classification: ProviderErrorClassification;
      status?: number;
      message: string;
      /** Chunks already reached the sink: no failover is possible any more. */
      chunks: number;
      usage?: Usage;
      /** The caller went away; not the provider's fault. */
      cancelled?: boolean;
}

/**
 * One streaming call to one provider: the provider's SSE is parsed, translated to OpenAI chunks and
 * handed to the sink as it arrives. The outcome says how many chunks went out, so the caller knows
 * whether it may still fail over (none sent) or must end the stream as incomplete.
 */
export async function streamProvider(http: HttpProviderClient, provider: ResolvedProvider, model: ModelSpec, request: ChatCompletionRequest, { adapter, built }: PreparedCall, deadlineAt: number, sink: ChunkSink, attempt?: AttemptContext): Promise<StreamOutcome> {
  const translator = adapter.createStreamTranslator(model.id, { includeUsage: request.stream_options?.include_usage === true });
  let chunks = 0;
  const fail = (failure: ProviderFailure, message: string): StreamFailure => ({ ok: false, classification: classifyProviderError(failure), status: failure.status, message, chunks, usage: translator.usage() });
  try {
    return await http.send(
      { provider: provider.id, model: model.id, baseUrl: provider.baseUrl, path: built.path, headers: built.headers, body: built.body, timeouts: provider.timeouts, deadlineAt, signal: sink.signal, attributes: attempt && attemptAttributes(attempt), parent: attempt?.traceContext },
      annotated(model.id, async (res): Promise<StreamOutcome> => {
        if (res.status !== 200) {
          const detail = providerErrorDetail(await res.text().catch(() => ''), [provider.apiKey]);
          const retryAfter = res.headers['retry-after'];
          return fail({ kind: 'http', status: res.status, retryAfterMs: parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, Date.now()) }, `provider answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
        }
        let broken: RouterDomainError | undefined;
        let pending = 0;
        const parser = createParser({
          onEvent: (event) => {
            pending = 0;
            if (broken || translator.isComplete()) return;
            try {
              for (const chunk of translator.push({ event: event.event, data: event.data })) {
                sink.chunk(JSON.stringify(chunk));
                chunks++;
              }
              if (translator.isComplete()) sink.ending?.();
            } catch (err) {
              if (!(err instanceof RouterDomainError)) throw err;
              broken = err;
            }
          },
        });
        const decoder = new TextDecoder();
        // The parser buffers an event until its end: bytes without one are bounded like a whole reply.
        for await (const bytes of res.body) {
          pending += bytes.length;
          if (pending > res.maxBytes) throw replyTooLarge(res.maxBytes);
          parser.feed(decoder.decode(bytes, { stream: true }));
          // Read to the end after completion too: breaking off would destroy the keep-alive socket.
          if (broken || sink.signal.aborted) break;
        }
        if (sink.signal.aborted && !translator.isComplete()) return { ...fail({ kind: 'reset' }, 'the client went away'), cancelled: true };
        if (broken) return streamBroken(broken, fail);
        if (!translator.isComplete()) return fail({ kind: 'reset' }, 'the provider stream ended before the message was complete');
        return { ok: true, chunks, usage: translator.usage() };
      }),
    );
  } catch (err) {
    if (sink.signal.aborted) return { ...fail({ kind: 'reset' }, 'the client went away'), cancelled: true };
    if (err instanceof ProviderTransportError) return fail(transportFailure(err), err.message);
    return fail({ kind: 'connect' }, err instanceof Error ? err.message : String(err));
  }
}

/** A provider error event or an unreadable event in the stream. */
function streamBroken(err: RouterDomainError, fail: (f: ProviderFailure, m: string) => StreamFailure): StreamFailure {
  const status = (err as { status?: number }).status;
  if (status !== undefined) return fail({ kind: 'http', status }, err.message);
  if (err.code === 'PROVIDER.STREAM_ERROR') return fail({ kind: 'http', status: 500 }, err.message);
  return fail({ kind: 'schema' }, err.message);
}
