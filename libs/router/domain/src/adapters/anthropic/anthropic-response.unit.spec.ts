import { ProviderResponseError } from '../../errors/domain-errors';
import { testContext } from '../../testing/fixtures';
import { fromAnthropicResponse } from './anthropic-response';

const MESSAGE = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [
    { type: 'thinking', thinking: 'hmm', signature: 's' },
    { type: 'text', text: 'Let me check.' },
    { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 20, output_tokens: 10, cache_read_input_tokens: 5, cache_creation_input_tokens: null },
};

describe('fromAnthropicResponse', () => {
  it('Given text and tool_use blocks, When translated, Then content, tool_calls, finish_reason and usage follow OpenAI', () => {
    expect(fromAnthropicResponse(MESSAGE, 'auto', testContext())).toEqual({
      id: 'msg_01',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'auto',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Let me check.', refusal: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 25, completion_tokens: 10, total_tokens: 35 },
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
  ])('Given stop_reason %s, When translated, Then finish_reason is %s', (stopReason, finish) => {
    expect(fromAnthropicResponse({ ...MESSAGE, stop_reason: stopReason }, 'auto', testContext()).choices[0].finish_reason).toBe(finish);
  });

  it('Given only a tool_use block, When translated, Then content is null', () => {
    const message = { ...MESSAGE, content: [MESSAGE.content[2]] };
    expect(fromAnthropicResponse(message, 'auto', testContext()).choices[0].message.content).toBeNull();
  });

  it('Given a text block without text, When translated, Then ProviderResponseError is thrown', () => {
    expect(() => fromAnthropicResponse({ ...MESSAGE, content: [{ type: 'text' }] }, 'auto', testContext())).toThrow(ProviderResponseError);
  });

  it('Given an OpenAI-shaped body, When translated, Then ProviderResponseError is thrown', () => {
    expect(() => fromAnthropicResponse({ id: 'x', object: 'chat.completion', choices: [] }, 'auto', testContext())).toThrow(expect.objectContaining({ code: 'PROVIDER.MALFORMED_RESPONSE' }));
  });
});
