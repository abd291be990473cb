import type { ChatCompletionChunk } from '@cp/shared/contracts';
import { ProviderResponseError, ProviderStreamError } from '../../errors/domain-errors';
import { testContext } from '../../testing/fixtures';
import type { SseEvent } from '../stream-translator';
import { AnthropicStreamTranslator } from './anthropic-stream';

const ev = (data: object): SseEvent => ({ event: (data as { type: string }).type, data: JSON.stringify(data) });

/** Recorded from the Messages API shape: text, then a tool_use whose input streams in two pieces. */
const TOOL_STREAM: SseEvent[] = [
  ev({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', stop_reason: null, usage: { input_tokens: 25, output_tokens: 1 } } }),
  ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ev({ type: 'ping' }),
  ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking' } }),
  ev({ type: 'content_block_stop', index: 0 }),
  ev({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } }),
  ev({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": ' } }),
  ev({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
  ev({ type: 'content_block_stop', index: 1 }),
  ev({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 15 } }),
  ev({ type: 'message_stop' }),
];

function run(events: SseEvent[], includeUsage = false): { translator: AnthropicStreamTranslator; chunks: ChatCompletionChunk[] } {
  const translator = new AnthropicStreamTranslator('auto', { includeUsage }, testContext());
  return { translator, chunks: events.flatMap((e) => translator.push(e)) };
}

describe('AnthropicStreamTranslator', () => {
  describe('push', () => {
    it('Given a recorded tool-use stream, When translated, Then role, text, tool header, argument pieces and finish arrive in order', () => {
      const { translator, chunks } = run(TOOL_STREAM);
      // OpenAI's chunk shape: every choice says logprobs: null.
      expect(chunks.every((c) => c.choices.every((choice) => choice.logprobs === null))).toBe(true);
      expect(chunks.map((c) => [c.choices[0].delta, c.choices[0].finish_reason])).toEqual([
        [{ role: 'assistant', content: '', refusal: null }, null],
        [{ content: 'Checking' }, null],
        [{ tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, null],
        [{ tool_calls: [{ index: 0, function: { arguments: '{"city": ' } }] }, null],
        [{ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, null],
        [{}, 'tool_calls'],
      ]);
      expect(chunks.every((c) => c.id === 'msg_1' && c.model === 'auto' && c.created === 1_700_000_000)).toBe(true);
      expect(translator.isComplete()).toBe(true);
      expect(translator.usage()).toEqual({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 });
    });

    it('Given includeUsage, When message_stop arrives, Then a final usage-only chunk follows', () => {
      const { chunks } = run(TOOL_STREAM, true);
      expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { total_tokens: 40 } });
    });

    it('Given a stream cut before message_stop, When it ends, Then isComplete is false', () => {
      const { translator, chunks } = run(TOOL_STREAM.slice(0, 7));
      expect(chunks).toHaveLength(4);
      expect(translator.isComplete()).toBe(false);
    });

    it('Given an overloaded error event, When pushed, Then ProviderStreamError with class server and status 529 is thrown', () => {
      const translator = new AnthropicStreamTranslator('auto', {}, testContext());
      translator.push(TOOL_STREAM[0]);
      expect(() => translator.push(ev({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }))).toThrow(ProviderStreamError);
      expect(() => translator.push(ev({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }))).toThrow(expect.objectContaining({ errorClass: 'server', status: 529 }));
    });

    it('Given an error event echoing a key at length, When pushed, Then the message has no key and the provider text is cut to 300 characters', () => {
      const translator = new AnthropicStreamTranslator('auto', {}, testContext());
      translator.push(TOOL_STREAM[0]);
      const key = `sk-ant-api03-${'k'.repeat(80)}`;
      let message = '';
      try {
        translator.push(ev({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${key} ${'w'.repeat(2000)}` } }));
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^Anthropic stream error authentication_error: invalid x-api-key \[redacted\] w+…$/);
      expect(message.length).toBe('Anthropic stream error authentication_error: '.length + 300);
    });

    it('Given malformed JSON, When pushed, Then ProviderResponseError is thrown', () => {
      const translator = new AnthropicStreamTranslator('auto', {}, testContext());
      expect(() => translator.push({ event: 'message_start', data: '{"type":"message_start",' })).toThrow(ProviderResponseError);
    });

    it('Given a content delta before message_start, When pushed, Then ProviderResponseError is thrown', () => {
      expect(() => run([TOOL_STREAM[3]])).toThrow(ProviderResponseError);
    });

    it('Given an event type the translator does not know, When pushed, Then it is ignored', () => {
      const { chunks } = run([TOOL_STREAM[0], ev({ type: 'future_event', payload: 1 })]);
      expect(chunks).toHaveLength(1);
    });
  });
});
