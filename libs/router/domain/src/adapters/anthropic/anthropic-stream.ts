import { upstreamText, type ChatCompletionChunk, type Usage } from '@cp/shared/contracts';
import { z } from 'zod';
import { ProviderResponseError, ProviderStreamError } from '../../errors/domain-errors';
import { type AdapterContext, epochSeconds, systemAdapterContext } from '../adapter-context';
import { ChunkBuilder } from '../chunk-builder';
import { parseJsonText, parseWire } from '../parse-json';
import type { SseEvent, StreamTranslator, StreamTranslatorOptions } from '../stream-translator';
import { classifyAnthropicErrorType, finishReasonFromAnthropic, usageFromAnthropic } from './anthropic-mapping';
import { type AnthropicStreamEvent, type AnthropicUsage, AnthropicStreamEvent as EventSchema, isToolUseBlock } from './anthropic-wire';

const KNOWN_EVENTS = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error']);
const EventType = z.object({ type: z.string() }).loose();

function definedFields(usage: AnthropicUsage | undefined): AnthropicUsage {
  return Object.fromEntries(Object.entries(usage ?? {}).filter(([, value]) => value !== null && value !== undefined));
}

/**
 * Anthropic Messages stream -> OpenAI chunks. tool_use blocks open a tool call (id and name),
 * input_json_delta appends to its arguments, message_delta carries the stop reason and usage,
 * message_stop ends the stream, an `error` event throws `ProviderStreamError`.
 */
export class AnthropicStreamTranslator implements StreamTranslator {
  private builder: ChunkBuilder | undefined;
  private readonly toolIndexByBlock = new Map<number, number>();
  private rawUsage: AnthropicUsage = {};
  private finished = false;
  private done = false;

  constructor(
    private readonly requestModel: string,
    private readonly options: StreamTranslatorOptions = {},
    private readonly ctx: AdapterContext = systemAdapterContext,
  ) {}

  push(event: SseEvent): ChatCompletionChunk[] {
    if (this.done) return [];
    const json = parseJsonText(event.data, 'Anthropic stream event');
    // New event types may appear at any time; the API asks clients to ignore them.
    if (!KNOWN_EVENTS.has(parseWire(EventType, json, 'Anthropic stream event').type)) return [];
    return this.translate(parseWire(EventSchema, json, 'Anthropic stream event'));
  }

  isComplete(): boolean {
    return this.done;
  }

  usage(): Usage | undefined {
    return Object.keys(this.rawUsage).length > 0 ? usageFromAnthropic(this.rawUsage) : undefined;
  }

  private started(): ChunkBuilder {
    if (!this.builder) throw new ProviderResponseError('Anthropic stream event before message_start');
    return this.builder;
  }

  private translate(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    switch (event.type) {
      case 'message_start':
        this.builder = new ChunkBuilder(event.message.id, this.requestModel, epochSeconds(this.ctx));
        this.rawUsage = { ...this.rawUsage, ...definedFields(event.message.usage) };
        return [this.builder.delta({ role: 'assistant', content: '' })];
      case 'content_block_start': {
        const block = event.content_block;
        if (!isToolUseBlock(block)) return [];
        const index = this.toolIndexByBlock.size;
        this.toolIndexByBlock.set(event.index, index);
        return [this.started().delta({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] })];
      }
      case 'content_block_delta':
        return this.translateDelta(event.index, event.delta);
      case 'message_delta': {
        this.rawUsage = { ...this.rawUsage, ...definedFields(event.usage) };
        const finish = finishReasonFromAnthropic(event.delta.stop_reason);
        if (!finish) return [];
        this.finished = true;
        return [this.started().finish(finish)];
      }
      case 'message_stop':
        return this.stop();
      case 'error': {
        const { status, errorClass } = classifyAnthropicErrorType(event.error.type);
        throw new ProviderStreamError(`Anthropic stream error ${upstreamText(event.error.type, 60)}: ${upstreamText(event.error.message)}`, errorClass, status);
      }
      case 'content_block_stop':
      case 'ping':
        return [];
    }
  }

  private translateDelta(blockIndex: number, delta: { type: string; text?: unknown; partial_json?: unknown }): ChatCompletionChunk[] {
    if (delta.type === 'text_delta' && typeof delta.text === 'string') return [this.started().delta({ content: delta.text })];
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
      const index = this.toolIndexByBlock.get(blockIndex);
      if (index === undefined) throw new ProviderResponseError(`Anthropic input_json_delta for block ${blockIndex}, which is not a tool_use block`);
      return [this.started().delta({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] })];
    }
    // thinking_delta, signature_delta, citations_delta: nothing to forward in the OpenAI format.
    return [];
  }

  private stop(): ChatCompletionChunk[] {
    const builder = this.started();
    this.done = true;
    const chunks = this.finished ? [] : [builder.finish(this.toolIndexByBlock.size > 0 ? 'tool_calls' : 'stop')];
    const usage = this.usage();
    if (this.options.includeUsage && usage) chunks.push(builder.usage(usage));
    return chunks;
  }
}
