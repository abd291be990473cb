import type { ChatCompletionChunk } from '@cp/shared/contracts';
import { ProviderResponseError, ProviderStreamError } from '../../errors/domain-errors';
import { testContext } from '../../testing/fixtures';
import type { SseEvent } from '../stream-translator';
import { GeminiStreamTranslator } from './gemini-stream';

const ev = (data: object): SseEvent => ({ data: JSON.stringify(data) });
const part = (parts: object[], extra: object = {}) => ev({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: 'gemini-2.5-flash' });

const TEXT_STREAM: SseEvent[] = [
  part([{ text: 'The sky' }]),
  part([{ text: ' is blue.' }]),
  part([{ text: '' }], { finishReason: 'STOP' }),
];

function run(events: SseEvent[], includeUsage = false): { translator: GeminiStreamTranslator; chunks: ChatCompletionChunk[] } {
  const translator = new GeminiStreamTranslator('auto', { includeUsage }, testContext());
  return { translator, chunks: events.flatMap((e) => translator.push(e)) };
}

describe('GeminiStreamTranslator', () => {
  describe('push', () => {
    it('Given an error event in Google\'s shape quoting a key, When pushed, Then ProviderStreamError carries its status and class and a redacted message cut to 300 characters', () => {
      const translator = new GeminiStreamTranslator('auto', {}, testContext());
      const key = `AIza${'K'.repeat(35)}`;
      const push = () => translator.push({ data: JSON.stringify({ error: { code: 503, message: `overloaded for ${key} ${'m'.repeat(900)}`, status: 'UNAVAILABLE' } }) });
      expect(push).toThrow(ProviderStreamError);
      expect(push).toThrow(expect.objectContaining({ status: 503, errorClass: 'server', message: expect.stringMatching(/^Gemini stream error UNAVAILABLE: overloaded for \[redacted\] m+…$/) }));
    });

    it('Given a recorded text stream, When translated, Then text deltas follow with the role first and a stop chunk ends it', () => {
      const { translator, chunks } = run(TEXT_STREAM);
      expect(chunks.map((c) => [c.choices[0].delta, c.choices[0].finish_reason])).toEqual([
        [{ role: 'assistant', content: 'The sky', refusal: null }, null],
        [{ content: ' is blue.' }, null],
        [{}, 'stop'],
      ]);
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(['chatcmpl-id1']));
      expect(translator.isComplete()).toBe(true);
    });

    it('Given a function call with usage in the final event, When translated, Then one full tool call chunk, tool_calls finish and a usage chunk arrive', () => {
      const final = ev({
        candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
      });
      const { translator, chunks } = run([final], true);
      expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
        { role: 'assistant', refusal: null, tool_calls: [{ index: 0, id: 'call_id2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        {},
        null,
      ]);
      expect(chunks[1].choices[0].finish_reason).toBe('tool_calls');
      expect(chunks[2].usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
      expect(translator.usage()).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    });

    it('Given a stream cut before any finishReason, When it ends, Then isComplete is false', () => {
      const { translator, chunks } = run(TEXT_STREAM.slice(0, 2));
      expect(chunks).toHaveLength(2);
      expect(translator.isComplete()).toBe(false);
    });

    it('Given malformed JSON, When pushed, Then ProviderResponseError is thrown', () => {
      expect(() => run([{ data: '{"candidates": [' }])).toThrow(ProviderResponseError);
    });

    it('Given JSON of the wrong shape, When pushed, Then ProviderResponseError is thrown', () => {
      expect(() => run([ev({ candidates: 'nope' })])).toThrow(ProviderResponseError);
    });

    it('Given a JSON object that is no GenerateContentResponse at all, When pushed, Then ProviderResponseError is thrown', () => {
      expect(() => run([ev({ result: 'ok' })])).toThrow(ProviderResponseError);
    });

    it('Given a blocked prompt, When pushed, Then the stream ends with content_filter', () => {
      const { translator, chunks } = run([ev({ promptFeedback: { blockReason: 'SAFETY' } })]);
      expect(chunks.map((c) => c.choices[0].finish_reason)).toEqual(['content_filter']);
      expect(translator.isComplete()).toBe(true);
    });
  });
});
