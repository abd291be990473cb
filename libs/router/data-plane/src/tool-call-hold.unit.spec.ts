import type { ChatCompletionChunk } from '@cp/shared/contracts';
import { ToolCallHold } from './tool-call-hold';

const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null, id = 'c1'): string =>
  JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

function sink() {
  const out: ChatCompletionChunk[] = [];
  return { out, sink: { chunk: (json: string) => void out.push(JSON.parse(json) as ChatCompletionChunk), signal: new AbortController().signal } };
}

describe('ToolCallHold', () => {
  it('Given text and a tool call, the text passes at once and the call is held until finish, then sent whole', () => {
    const { out, sink: s } = sink();
    const hold = new ToolCallHold(s, 1, undefined);
    hold.chunk(chunk({ role: 'assistant', content: 'Let me ' }));
    hold.chunk(chunk({ content: 'look.' }));
    expect(out.map((c) => c.choices[0]!.delta.content)).toEqual(['Let me ', 'look.']);
    hold.chunk(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"pa' } }] }));
    hold.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: 'th": "/a",}' } }] }));
    hold.chunk(chunk({}, 'tool_calls'));
    expect(out).toHaveLength(2);
    expect(hold.turn()).toEqual({ content: 'Let me look.', toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path": "/a",}' } }] });
    hold.finish([{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"/a"}' } }]);
    expect(out.slice(2).map((c) => [c.choices[0]!.delta.tool_calls?.[0]?.function?.arguments, c.choices[0]!.finish_reason])).toEqual([
      ['{"path":"/a"}', null],
      [undefined, 'tool_calls'],
    ]);
  });

  it('Given a later round, it reuses the first chunk id and sends no second role delta', () => {
    const { out, sink: s } = sink();
    const hold = new ToolCallHold(s, 2, 'first');
    hold.chunk(chunk({ role: 'assistant', content: 'answer' }, null, 'other'));
    hold.chunk(chunk({}, 'stop', 'other'));
    hold.finish([]);
    expect(out.map((c) => [c.id, c.choices[0]!.delta.role, c.choices[0]!.finish_reason])).toEqual([
      ['first', undefined, null],
      ['first', undefined, 'stop'],
    ]);
  });

  it('holds the usage chunk and sends it last with the summed usage', () => {
    const { out, sink: s } = sink();
    const hold = new ToolCallHold(s, 1, undefined);
    hold.chunk(chunk({ content: 'x' }, 'stop'));
    hold.chunk(JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
    expect(out).toHaveLength(1);
    hold.finish([], { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    expect(out.at(-1)!.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });
});
