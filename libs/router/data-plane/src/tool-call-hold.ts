import type { ChatCompletionChunk, ToolCall, Usage } from '@cp/shared/contracts';
import type { CancelSignal } from './call-abort';
import type { ChunkSink } from './provider-stream';

type Choice = ChatCompletionChunk['choices'][number];

/**
 * A sink for one streamed round of a request with tools: text deltas go to the client at once; a
 * tool call's deltas are held until the round is over (so its arguments can be checked and repaired
 * whole), and so are the finish and usage chunks (the round may be followed by another: local tools,
 * a self-correction). Later rounds reuse the first round's chunk id and send no second role delta.
 */
export class ToolCallHold implements ChunkSink {
  private readonly calls: { id: string; name: string; arguments: string }[] = [];
  private text = '';
  private finishReason: Choice['finish_reason'] = null;
  private usageChunk?: ChatCompletionChunk;
  private last?: ChatCompletionChunk;
  /** Chunks that reached the client in this round. */
  sent = 0;

  constructor(
    private readonly out: ChunkSink,
    private readonly round: number,
    private firstId: string | undefined,
  ) {}

  get signal(): CancelSignal {
    return this.out.signal;
  }

  /** The id of the first chunk the client got, for the next round's chunks. */
  get chunkId(): string | undefined {
    return this.firstId;
  }

  chunk(json: string): void {
    const chunk = JSON.parse(json) as ChatCompletionChunk;
    this.last = chunk;
    this.firstId ??= chunk.id;
    const choice = chunk.choices[0];
    if (!choice) {
      if (chunk.usage) this.usageChunk = chunk;
      return;
    }
    const { tool_calls: deltas, role, ...rest } = choice.delta;
    for (const d of deltas ?? []) {
      const call = (this.calls[d.index] ??= { id: '', name: '', arguments: '' });
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name += d.function.name;
      if (d.function?.arguments) call.arguments += d.function.arguments;
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    if (typeof rest.content === 'string') this.text += rest.content;
    const keepRole = role !== undefined && this.round === 1;
    const hasText = typeof rest.content === 'string' && rest.content !== '';
    if (!keepRole && !hasText) return;
    const delta = { ...rest, ...(keepRole ? { role } : {}) };
    this.emit({ ...chunk, id: this.firstId, choices: [{ ...choice, delta, finish_reason: null }] });
  }

  /** What the model said in this round: its text and its tool calls, whole. */
  turn(): { content: string | null; toolCalls: ToolCall[] } {
    return { content: this.text === '' ? null : this.text, toolCalls: this.calls.filter(Boolean).map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) };
  }

  /** Ends the answer: the delivered tool calls (one chunk each), the finish chunk, the usage chunk if asked for. */
  finish(toolCalls: ToolCall[], usage?: Usage): void {
    const base = this.last;
    if (!base) return;
    const frame = (choices: Choice[]): ChatCompletionChunk => ({ id: this.firstId ?? base.id, object: 'chat.completion.chunk', created: base.created, model: base.model, choices });
    toolCalls.forEach((call, index) => this.emit(frame([{ index: 0, delta: { ...(this.sent === 0 && this.round === 1 ? { role: 'assistant' as const } : {}), tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }] }, finish_reason: null }])));
    const reason = toolCalls.length > 0 ? 'tool_calls' : this.finishReason === 'tool_calls' ? 'stop' : (this.finishReason ?? 'stop');
    this.emit(frame([{ index: 0, delta: {}, finish_reason: reason }]));
    if (this.usageChunk) this.emit({ ...this.usageChunk, id: this.firstId ?? this.usageChunk.id, ...(usage ? { usage } : {}) });
  }

  private emit(chunk: ChatCompletionChunk): void {
    this.out.chunk(JSON.stringify(chunk));
    this.sent++;
  }
}
