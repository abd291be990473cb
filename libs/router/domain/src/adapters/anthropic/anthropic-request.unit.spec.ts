import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { InvalidChatRequestError } from '../../errors/domain-errors';
import { toAnthropicRequest } from './anthropic-request';

const MODEL = { id: 'claude-sonnet-4-5' };
const WEATHER = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

const AGENT_TURN: ChatCompletionRequest = {
  model: 'claude-sonnet-4-5',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'developer', content: [{ type: 'text', text: 'Use tools.' }] },
    { role: 'user', content: 'Weather in Paris and Rome?' },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
    { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '24C' }] },
  ],
  tools: [WEATHER],
  tool_choice: 'auto',
  max_tokens: 512,
};

describe('toAnthropicRequest', () => {
  describe('messages', () => {
    it('Given an agent turn with tool calls and results, When translated, Then system joins, tool_use carries parsed input and both results merge into one user message', () => {
      const body = toAnthropicRequest(AGENT_TURN, MODEL, 4096);
      expect(body.system).toBe('You are terse.\n\nUse tools.');
      expect(body.messages).toEqual([
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: '24C' },
          ],
        },
      ]);
    });

    it('Given image parts, When translated, Then data URLs become base64 sources and http URLs url sources', () => {
      const req: ChatCompletionRequest = {
        model: 'x',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/b.jpg' } },
            ],
          },
        ],
      };
      expect(toAnthropicRequest(req, MODEL, 1024).messages[0].content).toEqual([
        { type: 'text', text: 'Compare' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/b.jpg' } },
      ]);
    });

    it.each([
      ['file:///etc/passwd', /scheme 'file'/],
      ['ftp://example.com/a.png', /scheme 'ftp'/],
      ['data:image/png,not-base64', /not of the form/],
      ['data:image/bmp;base64,Qk0=', /media type 'image\/bmp'/],
    ])('Given the image URL %s, When translated, Then InvalidChatRequestError names the part\'s url field', (url, message) => {
      const req: ChatCompletionRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url } }] }] };
      expect(() => toAnthropicRequest(req, MODEL, 1024)).toThrow(expect.objectContaining({ code: 'ROUTER.INVALID_REQUEST', param: 'messages[1].content[1].image_url.url', message: expect.stringMatching(message) }));
      expect(() => toAnthropicRequest(req, MODEL, 1024)).toThrow(InvalidChatRequestError);
    });

    it('Given n above 1, When translated, Then InvalidChatRequestError names n; unknown fields are dropped', () => {
      expect(() => toAnthropicRequest({ ...AGENT_TURN, n: 3 }, MODEL, 1024)).toThrow(expect.objectContaining({ code: 'ROUTER.INVALID_REQUEST', param: 'n' }));
      expect(JSON.stringify(toAnthropicRequest({ ...AGENT_TURN, some_vendor_option: 1, seed: 3 }, MODEL, 1024))).not.toMatch(/some_vendor_option|seed/);
    });

    it('Given tool arguments that are not JSON, When translated, Then the text is kept under _raw', () => {
      const req: ChatCompletionRequest = { ...AGENT_TURN, messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{city: Paris' } }] }] };
      expect(toAnthropicRequest(req, MODEL, 1024).messages[0].content).toEqual([{ type: 'tool_use', id: 't', name: 'f', input: { _raw: '{city: Paris' } }]);
    });
  });

  describe('options', () => {
    it('Given tools, When translated, Then they become name/description/input_schema', () => {
      expect(toAnthropicRequest(AGENT_TURN, MODEL, 4096).tools).toEqual([{ name: 'get_weather', description: 'Weather by city', input_schema: WEATHER.function.parameters }]);
    });

    it.each<[ChatCompletionRequest['tool_choice'], unknown]>([
      ['auto', { type: 'auto' }],
      ['required', { type: 'any' }],
      ['none', { type: 'none' }],
      [{ type: 'function', function: { name: 'get_weather' } }, { type: 'tool', name: 'get_weather' }],
    ])('Given tool_choice %p, When translated, Then tool_choice is %p', (choice, expected) => {
      expect(toAnthropicRequest({ ...AGENT_TURN, tool_choice: choice }, MODEL, 4096).tool_choice).toEqual(expected);
    });

    it('Given parallel_tool_calls false, When translated, Then parallel tool use is disabled', () => {
      expect(toAnthropicRequest({ ...AGENT_TURN, parallel_tool_calls: false }, MODEL, 4096).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    });

    it('Given max_completion_tokens, max_tokens or neither, When translated, Then max_tokens takes the first present, else the default', () => {
      const base: ChatCompletionRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }] };
      expect(toAnthropicRequest({ ...base, max_completion_tokens: 100, max_tokens: 200 }, MODEL, 4096).max_tokens).toBe(100);
      expect(toAnthropicRequest({ ...base, max_tokens: 200 }, MODEL, 4096).max_tokens).toBe(200);
      expect(toAnthropicRequest(base, MODEL, 4096).max_tokens).toBe(4096);
    });

    it('Given sampling options and a stream, When translated, Then temperature is capped at 1, stop becomes stop_sequences and stream is set', () => {
      const body = toAnthropicRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }], temperature: 1.5, top_p: 0.9, stop: 'END', stream: true, user: 'u1' }, MODEL, 10);
      expect(body).toMatchObject({ model: 'claude-sonnet-4-5', temperature: 1, top_p: 0.9, stop_sequences: ['END'], stream: true, metadata: { user_id: 'u1' } });
    });
  });
});
