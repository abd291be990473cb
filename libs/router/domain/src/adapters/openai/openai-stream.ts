import { ChatCompletionChunk, upstreamText, type Usage } from '@cp/shared/contracts';
import { z } from 'zod';
import { ProviderStreamError } from '../../errors/domain-errors';
import { mayBeErrorPayload, parseJsonText, parseWire } from '../parse-json';
import type { SseEvent, StreamTranslator, StreamTranslatorOptions } from '../stream-translator';

const StreamErrorPayload = z.object({ error: z.object({ message: z.string().optional() }).loose() }).loose();

/**
 * OpenAI-compatible streams are already in our format: each data line is validated, its `model`
 * replaced by the one the client asked for, and `[DONE]` ends the stream.
 */
export class OpenAiStreamTranslator implements StreamTranslator {
  private done = false;
  private finalUsage: Usage | undefined;

  constructor(
    private readonly requestModel: string,
    private readonly options: StreamTranslatorOptions = {},
  ) {}

  push(event: SseEvent): ChatCompletionChunk[] {
    if (this.done) return [];
    const data = event.data.trim();
    if (data === '[DONE]') {
      this.done = true;
      return [];
    }
    const json = parseJsonText(data, 'OpenAI stream event');
    const failure = mayBeErrorPayload(json) ? StreamErrorPayload.safeParse(json) : undefined;
    if (failure?.success) throw new ProviderStreamError(`provider error in stream: ${upstreamText(failure.data.error.message ?? 'unknown')}`, 'server');
    const chunk = parseWire(ChatCompletionChunk, json, 'OpenAI stream chunk');
    if (chunk.usage) this.finalUsage = chunk.usage;
    if (this.options.includeUsage) return [{ ...chunk, model: this.requestModel }];
    if (chunk.choices.length === 0) return [];
    // Usage was requested upstream for our own accounting; the client did not ask for it.
    const { usage: _usage, ...rest } = chunk;
    return [{ ...rest, model: this.requestModel }];
  }

  isComplete(): boolean {
    return this.done;
  }

  usage(): Usage | undefined {
    return this.finalUsage;
  }
}
