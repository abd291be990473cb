import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { InvalidChatRequestError } from '../../errors/domain-errors';
import { geminiPath } from './gemini-mapping';
import { toGeminiRequest } from './gemini-request';

const MODEL = { id: 'gemini-2.5-flash' };
const WEATHER = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false } } };

const AGENT_TURN: ChatCompletionRequest = {
  model: 'gemini-2.5-flash',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Weather in Paris and Rome?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_b', type: 'function', function: { name: 'get_forecast', arguments: '{"city":"Rome"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_b', content: '{"temp":24}' },
    { role: 'tool', tool_call_id: 'call_a', content: '18C' },
  ],
  tools: [WEATHER],
};

describe('toGeminiRequest', () => {
  describe('contents', () => {
    it('Given an agent turn, When translated, Then roles map to user/model, calls to functionCall and results to functionResponse named by their call id', () => {
      const body = toGeminiRequest(AGENT_TURN, MODEL);
      expect(body.systemInstruction).toEqual({ parts: [{ text: 'You are terse.' }] });
      expect(body.contents).toEqual([
        { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
        {
          role: 'model',
          parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_forecast', args: { city: 'Rome' } } }],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_forecast', response: { temp: 24 } } }, { functionResponse: { name: 'get_weather', response: { result: '18C' } } }],
        },
      ]);
    });

    it('Given a tool result for an unknown call id, When translated, Then InvalidChatRequestError names the message', () => {
      const req: ChatCompletionRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }, { role: 'tool', tool_call_id: 'nope', content: 'x' }] };
      expect(() => toGeminiRequest(req, MODEL)).toThrow(InvalidChatRequestError);
      expect(() => toGeminiRequest(req, MODEL)).toThrow(expect.objectContaining({ param: 'messages[1].tool_call_id' }));
    });

    it('Given image parts, When translated, Then data URLs become inlineData and http URLs fileData with a guessed MIME type', () => {
      const req: ChatCompletionRequest = {
        model: 'x',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.PNG?size=2' } },
            ],
          },
        ],
      };
      expect(toGeminiRequest(req, MODEL).contents[0].parts).toEqual([
        { text: 'What is this?' },
        { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
        { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.PNG?size=2' } },
      ]);
    });
    it.each([
      ['javascript:alert(1)', /scheme 'javascript'/],
      ['data:;base64,AAAA', /not of the form/],
      ['data:image/gif;base64,R0lGOD==', /media type 'image\/gif'/],
    ])('Given the image URL %s, When translated, Then InvalidChatRequestError names the part\'s url field', (url, message) => {
      const req: ChatCompletionRequest = { model: 'x', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] };
      expect(() => toGeminiRequest(req, MODEL)).toThrow(expect.objectContaining({ code: 'ROUTER.INVALID_REQUEST', param: 'messages[0].content[0].image_url.url', message: expect.stringMatching(message) }));
    });
  });

  describe('options', () => {
    it('Given tools, When translated, Then they become one functionDeclarations entry with JSON Schema parameters', () => {
      expect(toGeminiRequest(AGENT_TURN, MODEL).tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Weather by city', parametersJsonSchema: WEATHER.function.parameters }] }]);
    });

    it.each<[ChatCompletionRequest['tool_choice'], unknown]>([
      ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
      ['required', { functionCallingConfig: { mode: 'ANY' } }],
      ['none', { functionCallingConfig: { mode: 'NONE' } }],
      [{ type: 'function', function: { name: 'get_weather' } }, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } }],
    ])('Given tool_choice %p, When translated, Then toolConfig is %p', (choice, expected) => {
      expect(toGeminiRequest({ ...AGENT_TURN, tool_choice: choice }, MODEL).toolConfig).toEqual(expected);
    });

    it('Given sampling options, When translated, Then they land in generationConfig', () => {
      const req: ChatCompletionRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }], max_tokens: 256, temperature: 0.4, top_p: 0.8, stop: ['END'], response_format: { type: 'json_object' } };
      expect(toGeminiRequest(req, MODEL).generationConfig).toEqual({ maxOutputTokens: 256, temperature: 0.4, topP: 0.8, stopSequences: ['END'], responseMimeType: 'application/json' });
    });

    it('Given a json_schema response format, When translated, Then its schema goes as responseJsonSchema with JSON mode', () => {
      const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
      const req: ChatCompletionRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } } };
      expect(toGeminiRequest(req, MODEL).generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
    });

    it('Given penalties and a seed, When translated, Then they land in generationConfig and unknown fields are dropped', () => {
      const req: ChatCompletionRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }], presence_penalty: 0.5, frequency_penalty: -1, seed: 42, logprobs: true, some_vendor_option: 1 };
      const body = toGeminiRequest(req, MODEL);
      expect(body.generationConfig).toEqual({ presencePenalty: 0.5, frequencyPenalty: -1, seed: 42 });
      expect(JSON.stringify(body)).not.toContain('some_vendor_option');
    });

    it('Given n above 1, When translated, Then InvalidChatRequestError names n', () => {
      expect(() => toGeminiRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }], n: 2 }, MODEL)).toThrow(expect.objectContaining({ code: 'ROUTER.INVALID_REQUEST', param: 'n' }));
      expect(toGeminiRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }], n: 1 }, MODEL).contents).toHaveLength(1);
    });

    it('Given no options, When translated, Then generationConfig, tools and systemInstruction are absent', () => {
      expect(Object.keys(toGeminiRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, MODEL))).toEqual(['contents']);
    });
  });
});

describe('geminiPath', () => {
  it('Given a model, When asked for both modes, Then generateContent and streamGenerateContent with SSE are returned', () => {
    expect(geminiPath('gemini-2.5-flash', false)).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(geminiPath('gemini-2.5-flash', true)).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });
});
