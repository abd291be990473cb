import { ChatCompletionChunk, ChatCompletionResponse, OpenAiErrorBody } from '@cp/shared/contracts';
import { openAiErrorBody, parseOpenAiRequest, renderOpenAiCompletion, renderOpenAiStream } from './openai-wire';
import type { RenderInput } from './wire-format';

const input = (over: Partial<RenderInput> = {}): RenderInput => ({
  id: 'abc',
  created: 1_700_000_000,
  model: 'gpt-sim',
  reply: { content: 'echo: hello world', toolCalls: [] },
  usage: { prompt: 3, completion: 5 },
  includeUsage: false,
  ...over,
});

function dataOf(frame: string): unknown {
  return JSON.parse(frame.slice('data: '.length));
}

describe('parseOpenAiRequest', () => {
  it('Given text and image parts, When parsed, Then texts are joined by a space and images counted', () => {
    const outcome = parseOpenAiRequest({
      model: 'm',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'data:x' } }, { type: 'text', text: 'b' }] },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(outcome).toEqual({ ok: true, request: { model: 'm', stream: true, includeUsage: true, lastUserText: 'a b', lastUserImages: 1, promptChars: 5 } });
  });

  it('Given no messages, When parsed, Then it fails naming messages', () => {
    expect(parseOpenAiRequest({ model: 'm', messages: [] })).toEqual({ ok: false, message: "'messages' must be a non-empty array" });
  });

  it('Given no model, When parsed, Then it fails', () => {
    expect(parseOpenAiRequest({ messages: [{ role: 'user', content: 'x' }] }).ok).toBe(false);
  });
});

describe('renderOpenAiCompletion', () => {
  it('Given a text reply, When rendered, Then it satisfies the shared ChatCompletionResponse contract', () => {
    const body = ChatCompletionResponse.parse(renderOpenAiCompletion(input()));
    expect(body.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'echo: hello world' }, finish_reason: 'stop' });
    expect(body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 });
  });

  it('Given a tool call with malformed arguments, When rendered, Then arguments pass verbatim and finish is tool_calls', () => {
    const body = ChatCompletionResponse.parse(renderOpenAiCompletion(input({ reply: { content: null, toolCalls: [{ name: 'f', arguments: '{"x' }] } })));
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.tool_calls).toEqual([{ id: 'call_abc_0', type: 'function', function: { name: 'f', arguments: '{"x' } }]);
  });
});

describe('renderOpenAiStream', () => {
  it('Given include_usage, When rendered, Then role first, content in pieces, finish, usage, [DONE]', () => {
    const frames = renderOpenAiStream(input({ includeUsage: true }));
    expect(frames.at(-1)).toBe('data: [DONE]\n\n');
    const chunks = frames.slice(0, -1).map((f) => ChatCompletionChunk.parse(dataOf(f)));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('echo: hello world');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(4);
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 8 } });
  });

  it('Given no include_usage, When rendered, Then no usage chunk precedes [DONE]', () => {
    const frames = renderOpenAiStream(input());
    expect(ChatCompletionChunk.parse(dataOf(frames[frames.length - 2])).choices[0].finish_reason).toBe('stop');
  });

  it('Given a tool call, When rendered, Then name comes first and the argument deltas rebuild the string', () => {
    const frames = renderOpenAiStream(input({ reply: { content: null, toolCalls: [{ name: 'lookup', arguments: { q: 'a long query' } }] } }));
    const calls = frames.slice(0, -1).flatMap((f) => ChatCompletionChunk.parse(dataOf(f)).choices[0].delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'call_abc_0', type: 'function', function: { name: 'lookup' } });
    expect(calls.map((c) => c.function?.arguments ?? '').join('')).toBe('{"q":"a long query"}');
    expect(calls.length).toBeGreaterThan(2);
  });
});

describe('openAiErrorBody', () => {
  it('Given 429, When rendered, Then it is a rate_limit_error in the shared error contract', () => {
    expect(OpenAiErrorBody.parse(openAiErrorBody(429, 'slow down')).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
  });
});
