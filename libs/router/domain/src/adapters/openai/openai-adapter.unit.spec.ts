import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { ProviderResponseError, ProviderStreamError } from '../../errors/domain-errors';
import { buildOpenAiRequest } from './openai-request';
import { parseOpenAiResponse } from './openai-response';
import { OpenAiStreamTranslator } from './openai-stream';

const REQUEST: ChatCompletionRequest = { model: 'auto', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2, cp_memory: true, cp: { trace: 1 }, seed: 7 };

const RESPONSE = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};

const chunk = (delta: object, finish: string | null = null) =>
  JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'qwen-turbo', choices: [{ index: 0, delta, finish_reason: finish }] });

describe('buildOpenAiRequest', () => {
  it('Given a request with gateway-only fields, When built, Then the provider model is set, cp fields stripped and other options kept', () => {
    expect(buildOpenAiRequest(REQUEST, { id: 'gpt-4o' })).toEqual({ model: 'gpt-4o', messages: REQUEST.messages, temperature: 0.2, seed: 7 });
  });

  it('Given a streamed request, When built, Then usage is requested on the stream', () => {
    expect(buildOpenAiRequest({ ...REQUEST, stream: true }, { id: 'gpt-4o' })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('Given a non-streamed request with stream_options, When built, Then stream_options is dropped', () => {
    expect(buildOpenAiRequest({ ...REQUEST, stream_options: { include_usage: true } }, { id: 'x' })).not.toHaveProperty('stream_options');
  });
});

describe('parseOpenAiResponse', () => {
  it('Given a valid completion, When parsed, Then it is returned intact', () => {
    expect(parseOpenAiResponse(RESPONSE)).toEqual(RESPONSE);
  });

  it('Given a body without choices, When parsed, Then ProviderResponseError with class malformed_response names the path', () => {
    const broken = { ...RESPONSE, choices: undefined };
    expect(() => parseOpenAiResponse(broken)).toThrow(ProviderResponseError);
    expect(() => parseOpenAiResponse(broken)).toThrow(expect.objectContaining({ code: 'PROVIDER.MALFORMED_RESPONSE', errorClass: 'malformed_response', message: expect.stringContaining('choices') }));
  });
});

describe('OpenAiStreamTranslator', () => {
  describe('push', () => {
    it('Given a recorded stream, When translated, Then chunks pass through with the requested model and [DONE] completes it', () => {
      const translator = new OpenAiStreamTranslator('auto');
      const out = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop')].flatMap((data) => translator.push({ data }));
      expect(out.map((c) => c.choices[0].delta.content ?? null)).toEqual(['', 'Hel', 'lo', null]);
      expect(out.every((c) => c.model === 'auto')).toBe(true);
      expect(translator.isComplete()).toBe(false);
      translator.push({ data: '[DONE]' });
      expect(translator.isComplete()).toBe(true);
    });

    it('Given a usage-only chunk and a client that did not ask for usage, When translated, Then it is dropped but usage() reports it', () => {
      const translator = new OpenAiStreamTranslator('auto');
      const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
      const out = translator.push({ data: JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage }) });
      expect(out).toEqual([]);
      expect(translator.usage()).toEqual(usage);
    });

    it('Given a usage-only chunk and includeUsage, When translated, Then it is forwarded', () => {
      const translator = new OpenAiStreamTranslator('auto', { includeUsage: true });
      const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
      expect(translator.push({ data: JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage }) })).toEqual([
        { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'auto', choices: [], usage },
      ]);
    });

    it('Given a stream cut after content, When it ends, Then isComplete is false', () => {
      const translator = new OpenAiStreamTranslator('auto');
      translator.push({ data: chunk({ content: 'partial' }) });
      expect(translator.isComplete()).toBe(false);
    });

    it('Given malformed JSON, When pushed, Then ProviderResponseError is thrown', () => {
      expect(() => new OpenAiStreamTranslator('auto').push({ data: '{"id": "c1", ' })).toThrow(ProviderResponseError);
    });

    it('Given an error payload or bytes that are not JSON echoing a key, When pushed, Then the error carries neither the key nor more than the documented length', () => {
      const key = `sk-proj-${'Q'.repeat(60)}`;
      const errorEvent = () => new OpenAiStreamTranslator('auto').push({ data: JSON.stringify({ error: { message: `bad key ${key} ${'z'.repeat(1000)}` } }) });
      expect(errorEvent).toThrow(ProviderStreamError);
      expect(errorEvent).toThrow(expect.objectContaining({ message: expect.not.stringContaining(key.slice(0, 20)) }));
      let message = '';
      try {
        errorEvent();
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message.length).toBeLessThanOrEqual('provider error in stream: '.length + 300);
      const broken = () => new OpenAiStreamTranslator('auto').push({ data: `{"key": "${key}", ` });
      expect(broken).toThrow(expect.objectContaining({ code: 'PROVIDER.MALFORMED_RESPONSE', message: expect.stringContaining('[redacted]') }));
      expect(broken).toThrow(expect.objectContaining({ message: expect.not.stringContaining('sk-proj') }));
    });

    it('Given an error payload mid-stream, When pushed, Then ProviderStreamError is thrown', () => {
      expect(() => new OpenAiStreamTranslator('auto').push({ data: '{"error":{"message":"overloaded"}}' })).toThrow(ProviderStreamError);
    });
  });
});
