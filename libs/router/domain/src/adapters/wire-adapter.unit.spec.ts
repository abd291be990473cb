import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { findModel, findProvider } from '../registry/registry-lookup';
import type { ModelSpec } from '../registry/registry.schema';
import type { ProviderRegistry, ResolvedProvider } from '../registry/registry.types';
import { testContext, testRegistry } from '../testing/fixtures';
import { AnthropicStreamTranslator } from './anthropic/anthropic-stream';
import { GeminiStreamTranslator } from './gemini/gemini-stream';
import { OpenAiStreamTranslator } from './openai/openai-stream';
import { adapterFor } from './wire-adapter';

const KEYS = { OPENAI_API_KEY: 'sk-openai', ANTHROPIC_API_KEY: 'sk-ant', GEMINI_API_KEY: 'AIza-gem' };

const REQUEST: ChatCompletionRequest = {
  model: 'auto',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: '18C' },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
};

function target(registry: ProviderRegistry, provider: string, model: string): { p: ResolvedProvider; m: ModelSpec } {
  const p = findProvider(registry, provider);
  const m = findModel(registry, { provider, model });
  if (!p || !m) throw new Error(`fixture lacks ${provider}/${model}`);
  return { p, m };
}

describe('adapterFor', () => {
  describe('buildRequest', () => {
    it('Given openai with a key, When a streamed request is built, Then it posts to /chat/completions with a Bearer header', () => {
      const { p, m } = target(testRegistry(KEYS), 'openai', 'gpt-4o');
      const http = adapterFor('openai').buildRequest({ ...REQUEST, stream: true }, m, p);
      expect(http.path).toBe('/chat/completions');
      expect(http.headers).toEqual({ 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer sk-openai' });
      expect(http.body).toMatchObject({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true } });
    });

    it('Given anthropic with a key, When built, Then it posts to /v1/messages with x-api-key, anthropic-version and the model maxOutput as max_tokens', () => {
      const { p, m } = target(testRegistry(KEYS), 'claude', 'claude-sonnet-4-5');
      const http = adapterFor('anthropic').buildRequest(REQUEST, m, p);
      expect(http.path).toBe('/v1/messages');
      expect(http.headers).toMatchObject({ 'x-api-key': 'sk-ant', 'anthropic-version': '2023-06-01' });
      expect(http.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 64000, system: 'Be brief.' });
    });

    it('Given gemini with a key, When built, Then the model is in the path and the key in x-goog-api-key', () => {
      const { p, m } = target(testRegistry(KEYS), 'gemini', 'gemini-2.5-flash');
      const http = adapterFor('gemini').buildRequest(REQUEST, m, p);
      expect(http.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
      expect(http.headers).toMatchObject({ 'x-goog-api-key': 'AIza-gem' });
      expect(http.body).toHaveProperty('contents');
    });

    it.each(['openai', 'claude', 'gemini'])('Given %s without a key (simulated), When built, Then no auth header is sent', (provider) => {
      const registry = testRegistry({});
      const p = findProvider(registry, provider);
      if (!p) throw new Error('fixture');
      const http = adapterFor(p.wire).buildRequest(REQUEST, p.models[0], p);
      expect(Object.keys(http.headers).sort()).toEqual(p.wire === 'anthropic' ? ['accept', 'anthropic-version', 'content-type'] : ['accept', 'content-type']);
    });
  });

  describe('round trip', () => {
    it('Given openai, When a provider answer without logprobs and refusal is parsed, Then the model reported is the one given and both come back null', () => {
      const answer = { id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4o-2024-08-06', choices: [{ index: 0, message: { role: 'assistant', content: 'Sunny' }, finish_reason: 'stop' }] };
      expect(adapterFor('openai').parseResponse(answer, 'gpt-4o')).toMatchObject({ model: 'gpt-4o', choices: [{ logprobs: null, message: { content: 'Sunny', refusal: null } }] });
      const withLogprobs = { ...answer, choices: [{ ...answer.choices[0], logprobs: { content: [] }, message: { ...answer.choices[0].message, refusal: 'no' } }] };
      expect(adapterFor('openai').parseResponse(withLogprobs, 'gpt-4o').choices[0]).toMatchObject({ logprobs: { content: [] }, message: { refusal: 'no' } });
    });

    it('Given anthropic, When a tool_use answer is parsed, Then an OpenAI tool call comes back with usage', () => {
      const answer = { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Oslo' } }], stop_reason: 'tool_use', usage: { input_tokens: 9, output_tokens: 3 } };
      const response = adapterFor('anthropic', testContext()).parseResponse(answer, 'auto');
      expect(response.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [{ id: 'toolu_9', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] } });
      expect(response.usage).toEqual({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
    });

    it('Given gemini, When a text answer is parsed, Then an OpenAI completion comes back with usage', () => {
      const answer = { candidates: [{ content: { role: 'model', parts: [{ text: 'Sunny' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 1, totalTokenCount: 8 } };
      const response = adapterFor('gemini', testContext()).parseResponse(answer, 'auto');
      expect(response).toMatchObject({ model: 'auto', choices: [{ message: { content: 'Sunny' }, finish_reason: 'stop' }], usage: { total_tokens: 8 } });
    });
  });

  describe('createStreamTranslator', () => {
    it('Given each wire, When a translator is created, Then it is the wire-specific one', () => {
      expect(adapterFor('openai').createStreamTranslator('auto')).toBeInstanceOf(OpenAiStreamTranslator);
      expect(adapterFor('anthropic').createStreamTranslator('auto')).toBeInstanceOf(AnthropicStreamTranslator);
      expect(adapterFor('gemini').createStreamTranslator('auto')).toBeInstanceOf(GeminiStreamTranslator);
    });
  });
});
