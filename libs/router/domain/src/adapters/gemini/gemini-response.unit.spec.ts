import { ProviderResponseError } from '../../errors/domain-errors';
import { testContext } from '../../testing/fixtures';
import { fromGeminiResponse } from './gemini-response';

const TOOL_ANSWER = {
  candidates: [
    {
      content: {
        role: 'model',
        parts: [{ text: 'thinking...', thought: true }, { text: 'Checking both.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_weather', args: { city: 'Rome' } } }],
      },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 12, thoughtsTokenCount: 4, totalTokenCount: 46 },
  modelVersion: 'gemini-2.5-flash',
  responseId: 'resp1',
};

describe('fromGeminiResponse', () => {
  it('Given text and function calls, When translated, Then tool calls get generated ids, finish_reason is tool_calls and usage counts thoughts as completion', () => {
    expect(fromGeminiResponse(TOOL_ANSWER, 'auto', testContext())).toEqual({
      id: 'chatcmpl-resp1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'auto',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking both.',
            refusal: null,
            tool_calls: [
              { id: 'call_id1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_id2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 30, completion_tokens: 16, total_tokens: 46 },
    });
  });

  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['OTHER', 'stop'],
  ])('Given finishReason %s, When translated, Then finish_reason is %s', (reason, finish) => {
    const json = { candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finishReason: reason }] };
    expect(fromGeminiResponse(json, 'auto', testContext()).choices[0].finish_reason).toBe(finish);
  });

  it('Given a prompt blocked before any candidate, When translated, Then the answer is empty with content_filter', () => {
    const result = fromGeminiResponse({ promptFeedback: { blockReason: 'SAFETY' } }, 'auto', testContext());
    expect(result.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: null, refusal: null }, logprobs: null, finish_reason: 'content_filter' });
  });

  it('Given no candidates and no block reason, When translated, Then ProviderResponseError is thrown', () => {
    expect(() => fromGeminiResponse({ usageMetadata: {} }, 'auto', testContext())).toThrow(ProviderResponseError);
  });

  it('Given a functionCall without a name, When translated, Then ProviderResponseError is thrown', () => {
    const json = { candidates: [{ content: { parts: [{ functionCall: { args: {} } }] }, finishReason: 'STOP' }] };
    expect(() => fromGeminiResponse(json, 'auto', testContext())).toThrow(expect.objectContaining({ code: 'PROVIDER.MALFORMED_RESPONSE' }));
  });
});
