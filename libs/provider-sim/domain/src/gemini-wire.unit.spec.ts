import { geminiErrorBody, parseGeminiRequest, renderGeminiResponse, renderGeminiStream, simThoughtSignature } from './gemini-wire';
import type { RenderInput } from './wire-format';

const input = (over: Partial<RenderInput> = {}): RenderInput => ({
  id: 'abc',
  created: 0,
  model: 'gemini-sim',
  reply: { content: 'echo: bonjour tout le monde', toolCalls: [] },
  usage: { prompt: 2, completion: 7 },
  includeUsage: true,
  ...over,
});

/** Reads a nested field of parsed JSON without casting. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? Reflect.get(current, key) : undefined;
  return current;
}

function dataOf(frame: string): unknown {
  return JSON.parse(frame.slice('data: '.length));
}

describe('parseGeminiRequest', () => {
  it('Given a system instruction, inlineData and a model turn, When parsed, Then the last user turn is echoed', () => {
    const outcome = parseGeminiRequest(
      {
        systemInstruction: { parts: [{ text: 'sys' }] },
        contents: [
          { role: 'user', parts: [{ text: 'old' }] },
          { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
          { role: 'user', parts: [{ text: 'look' }, { inlineData: { mimeType: 'image/png', data: 'AA==' } }, { inlineData: { mimeType: 'audio/wav', data: 'AA==' } }] },
        ],
      },
      { model: 'gemini-x', stream: true },
    );
    expect(outcome).toEqual({ ok: true, request: { model: 'gemini-x', stream: true, includeUsage: true, lastUserText: 'look', lastUserImages: 1, promptChars: 10 } });
  });

  it('Given no contents, When parsed, Then it fails', () => {
    expect(parseGeminiRequest({}, { model: 'g' }).ok).toBe(false);
  });

  describe('thought signatures', () => {
    const turn = (call: Record<string, unknown>) => ({
      contents: [
        { role: 'user', parts: [{ text: 'weather?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} }, ...call }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { t: 18 } } }] },
      ],
    });
    const signed = turn({ thoughtSignature: simThoughtSignature('get_weather') });
    const unsigned = turn({});

    it('Given the signature the sim issued comes back, When parsed, Then any model accepts it', () => {
      expect(parseGeminiRequest(signed, { model: 'gemini-3-pro-preview' }).ok).toBe(true);
      expect(parseGeminiRequest(signed, { model: 'gemini-2.5-pro' }).ok).toBe(true);
    });

    it('Given Google\'s placeholder for calls that never had a signature, When parsed, Then Gemini 3 accepts it', () => {
      expect(parseGeminiRequest(turn({ thoughtSignature: 'skip_thought_signature_validator' }), { model: 'gemini-3-pro-preview' }).ok).toBe(true);
    });

    it('Given a signature the sim did not issue for that function, When parsed, Then it is rejected as corrupted', () => {
      expect(parseGeminiRequest(turn({ thoughtSignature: simThoughtSignature('other') }), { model: 'gemini-2.5-pro' })).toMatchObject({ ok: false, message: expect.stringContaining('Corrupted thought signature') });
    });

    it('Given a current-turn call without a signature, When parsed, Then Gemini 3 rejects it and Gemini 2.5 accepts it', () => {
      expect(parseGeminiRequest(unsigned, { model: 'gemini-3-pro-preview' })).toMatchObject({ ok: false, message: expect.stringContaining('missing a thought_signature') });
      expect(parseGeminiRequest(unsigned, { model: 'gemini-2.5-pro' }).ok).toBe(true);
    });

    it('Given an unsigned call in an earlier turn (before the last user prompt), When parsed, Then Gemini 3 accepts it', () => {
      const body = { contents: [...unsigned.contents, { role: 'model', parts: [{ text: '18C' }] }, { role: 'user', parts: [{ text: 'thanks' }] }] };
      expect(parseGeminiRequest(body, { model: 'gemini-3-pro-preview' }).ok).toBe(true);
    });
  });
});

describe('renderGeminiResponse', () => {
  it('Given two tool calls, When rendered, Then functionCall parts with parsed args (the first one signed), STOP and usageMetadata', () => {
    const body = renderGeminiResponse(input({ reply: { content: null, toolCalls: [{ name: 'f', arguments: '{"a":1}' }, { name: 'g', arguments: '{}' }] } }));
    expect(body).toEqual({
      candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: simThoughtSignature('f') }, { functionCall: { name: 'g', args: {} } }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 7, totalTokenCount: 9 },
      modelVersion: 'gemini-sim',
      responseId: 'abc',
    });
  });
});

describe('renderGeminiStream', () => {
  it('Given a text reply, When rendered, Then only the last chunk has finishReason and usage, and texts rebuild the reply', () => {
    const chunks = renderGeminiStream(input()).map(dataOf);
    expect(chunks.length).toBe(4);
    const texts = chunks.map((c) => at(c, 'candidates', 0, 'content', 'parts', 0, 'text'));
    expect(texts.join('')).toBe('echo: bonjour tout le monde');
    expect(chunks.slice(0, -1).every((c) => at(c, 'usageMetadata') === undefined)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ candidates: [{ finishReason: 'STOP' }], usageMetadata: { totalTokenCount: 9 } });
  });
});

describe('geminiErrorBody', () => {
  it('Given 429, When rendered, Then it is RESOURCE_EXHAUSTED in the Google shape', () => {
    expect(geminiErrorBody(429, 'quota')).toEqual({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } });
  });
});
