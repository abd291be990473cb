import { upstreamText, type ChatCompletionChunk, type Usage } from '@cp/shared/contracts';
import { z } from 'zod';
import { classifyProviderError } from '../../errors/classify-provider-error';
import { ProviderResponseError, ProviderStreamError } from '../../errors/domain-errors';
import { type AdapterContext, epochSeconds, systemAdapterContext } from '../adapter-context';
import { ChunkBuilder } from '../chunk-builder';
import { mayBeErrorPayload, parseJsonText, parseWire } from '../parse-json';
import type { SseEvent, StreamTranslator, StreamTranslatorOptions } from '../stream-translator';
import { finishReasonFromGemini, textOfParts, toolCallsOfParts, usageFromGemini } from './gemini-mapping';
import { GeminiResponse } from './gemini-wire';

/** Google's error shape, which Gemini also sends as an event when a stream fails after it started. */
const StreamError = z.object({ error: z.object({ code: z.number().int().optional(), message: z.string().optional(), status: z.string().optional() }).loose() }).loose();

/**
 * Gemini `streamGenerateContent?alt=sse` -> OpenAI chunks. Every event is a whole
 * GenerateContentResponse: text parts become content deltas, a functionCall arrives complete and
 * becomes one tool call chunk, a finishReason ends the stream. Gemini sends no terminator of its
 * own, so a stream that closes without a finishReason is a cut stream. An error event throws
 * `ProviderStreamError` with the provider's message, redacted and cut (`upstreamText`).
 */
export class GeminiStreamTranslator implements StreamTranslator {
  private readonly builder: ChunkBuilder;
  private roleSent = false;
  private toolCalls = 0;
  private lastUsage: Usage | undefined;
  private done = false;

  constructor(
    requestModel: string,
    private readonly options: StreamTranslatorOptions = {},
    private readonly ctx: AdapterContext = systemAdapterContext,
  ) {
    this.builder = new ChunkBuilder(`chatcmpl-${ctx.newId()}`, requestModel, epochSeconds(ctx));
  }

  push(event: SseEvent): ChatCompletionChunk[] {
    if (this.done) return [];
    const json = parseJsonText(event.data, 'Gemini stream event');
    const failure = mayBeErrorPayload(json) ? StreamError.safeParse(json) : undefined;
    if (failure?.success) {
      const { code, message, status } = failure.data.error;
      const httpStatus = code !== undefined && code >= 400 && code <= 599 ? code : 500;
      throw new ProviderStreamError(`Gemini stream error ${upstreamText(status ?? String(httpStatus), 60)}: ${upstreamText(message ?? 'unknown')}`, classifyProviderError({ kind: 'http', status: httpStatus }).class, httpStatus);
    }
    const response = parseWire(GeminiResponse, json, 'Gemini stream event');
    if (response.usageMetadata) this.lastUsage = usageFromGemini(response.usageMetadata);
    const candidate = response.candidates?.[0];
    if (!candidate) {
      if (response.promptFeedback?.blockReason) return this.end('content_filter');
      if (response.usageMetadata) return [];
      throw new ProviderResponseError('Gemini stream event has no candidates, usage or prompt feedback');
    }
    const parts = candidate.content?.parts ?? [];
    const chunks: ChatCompletionChunk[] = [];
    const text = textOfParts(parts);
    if (text !== '') chunks.push(this.builder.delta({ ...this.role(), content: text }));
    for (const call of toolCallsOfParts(parts, this.ctx)) {
      chunks.push(this.builder.delta({ ...this.role(), tool_calls: [{ index: this.toolCalls++, ...call }] }));
    }
    const finish = finishReasonFromGemini(candidate.finishReason, this.toolCalls > 0);
    return finish ? [...chunks, ...this.end(finish)] : chunks;
  }

  isComplete(): boolean {
    return this.done;
  }

  usage(): Usage | undefined {
    return this.lastUsage;
  }

  /** The first delta of a completion carries the role, as OpenAI's do. */
  private role(): { role?: 'assistant' } {
    if (this.roleSent) return {};
    this.roleSent = true;
    return { role: 'assistant' };
  }

  private end(finish: NonNullable<ReturnType<typeof finishReasonFromGemini>>): ChatCompletionChunk[] {
    this.done = true;
    const chunks = [this.builder.delta({ ...this.role() }, finish)];
    if (this.options.includeUsage && this.lastUsage) chunks.push(this.builder.usage(this.lastUsage));
    return chunks;
  }
}
