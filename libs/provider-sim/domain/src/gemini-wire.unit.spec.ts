import { geminiErrorBody, parseGeminiRequest, renderGeminiResponse, renderGeminiStream } from './gemini-wire';
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
});

describe('renderGeminiResponse', () => {
  it('Given a tool call, When rendered, Then a functionCall part with parsed args, STOP and usageMetadata', () => {
    const body = renderGeminiResponse(input({ reply: { content: null, toolCalls: [{ name: 'f', arguments: '{"a":1}' }] } }));
    expect(body).toEqual({
      candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] }, finishReason: 'STOP', index: 0 }],
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
