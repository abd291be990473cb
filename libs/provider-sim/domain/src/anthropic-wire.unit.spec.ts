import { anthropicErrorBody, parseAnthropicRequest, renderAnthropicMessage, renderAnthropicStream } from './anthropic-wire';
import type { RenderInput } from './wire-format';

const input = (over: Partial<RenderInput> = {}): RenderInput => ({
  id: 'abc',
  created: 0,
  model: 'claude-sim',
  reply: { content: 'echo: hi there', toolCalls: [] },
  usage: { prompt: 2, completion: 4 },
  includeUsage: true,
  ...over,
});

/** Reads a nested field of parsed JSON without casting. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? Reflect.get(current, key) : undefined;
  return current;
}

function events(frames: string[]): { event: string; data: unknown }[] {
  return frames.map((frame) => {
    const [eventLine, dataLine] = frame.trimEnd().split('\n');
    return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) };
  });
}

describe('parseAnthropicRequest', () => {
  it('Given a system block, tool_result and images, When parsed, Then the last user text, images and chars are found', () => {
    const outcome = parseAnthropicRequest({
      model: 'c',
      max_tokens: 10,
      system: [{ type: 'text', text: 'sys' }],
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'res' }] },
            { type: 'image', source: { type: 'url', url: 'u' } },
            { type: 'text', text: 'now' },
          ],
        },
      ],
    });
    expect(outcome).toEqual({ ok: true, request: { model: 'c', stream: false, includeUsage: true, lastUserText: 'now', lastUserImages: 1, promptChars: 14 } });
  });

  it('Given no max_tokens, When parsed, Then it fails like Anthropic does', () => {
    expect(parseAnthropicRequest({ model: 'c', messages: [{ role: 'user', content: 'x' }] })).toEqual({ ok: false, message: 'max_tokens: Field required' });
  });

  it('Given a system role inside messages, When parsed, Then it is rejected', () => {
    expect(parseAnthropicRequest({ model: 'c', max_tokens: 1, messages: [{ role: 'system', content: 'x' }] }).ok).toBe(false);
  });
});

describe('renderAnthropicMessage', () => {
  it('Given text and a malformed tool call, When rendered, Then a text block, a tool_use with {} input and tool_use stop', () => {
    const message = renderAnthropicMessage(input({ reply: { content: 'checking', toolCalls: [{ name: 'f', arguments: 'not json' }] } }));
    expect(message.content).toEqual([
      { type: 'text', text: 'checking' },
      { type: 'tool_use', id: 'toolu_abc_0', name: 'f', input: {} },
    ]);
    expect(message).toMatchObject({ id: 'msg_abc', type: 'message', stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 2, output_tokens: 4 } });
  });
});

describe('renderAnthropicStream', () => {
  it('Given a text reply, When rendered, Then the events follow the Messages streaming order', () => {
    const names = events(renderAnthropicStream(input())).map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(['message_start', 'ping', 'content_block_start']);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(names.filter((n) => n === 'content_block_delta').length).toBe(4);
  });

  it('Given a text reply, When the text deltas are joined, Then they rebuild the reply, and message_delta carries usage', () => {
    const parsed = events(renderAnthropicStream(input()));
    const text = parsed.filter((e) => e.event === 'content_block_delta').map((e) => at(e.data, 'delta', 'text')).join('');
    expect(text).toBe('echo: hi there');
    expect(parsed.find((e) => e.event === 'message_delta')?.data).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } });
  });

  it('Given a tool call, When rendered, Then input_json_delta pieces rebuild the arguments', () => {
    const parsed = events(renderAnthropicStream(input({ reply: { content: null, toolCalls: [{ name: 'f', arguments: { city: 'Oslo' } }] } })));
    const json = parsed.filter((e) => e.event === 'content_block_delta').map((e) => at(e.data, 'delta', 'partial_json')).join('');
    expect(JSON.parse(json)).toEqual({ city: 'Oslo' });
    expect(parsed[2].data).toMatchObject({ content_block: { type: 'tool_use', id: 'toolu_abc_0', name: 'f', input: {} } });
  });
});

describe('anthropicErrorBody', () => {
  it('Given 503, When rendered, Then it is an overloaded_error in the Anthropic shape', () => {
    expect(anthropicErrorBody(503, 'busy')).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } });
  });
});
