import type { ChatCompletionChunk, FinishReason, Usage } from '@cp/shared/contracts';

type Delta = ChatCompletionChunk['choices'][number]['delta'];

/**
 * Builds the chunks of one streamed completion with a fixed id, model and creation time, in the
 * shape OpenAI streams: every choice carries `logprobs: null`, and the opening delta (the one with
 * the role) `refusal: null`.
 */
export class ChunkBuilder {
  constructor(
    readonly id: string,
    readonly model: string,
    readonly created: number,
  ) {}

  delta(delta: Delta, finishReason: FinishReason | null = null): ChatCompletionChunk {
    const shaped = delta.role === 'assistant' ? { ...delta, refusal: null } : delta;
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta: shaped, logprobs: null, finish_reason: finishReason }] };
  }

  finish(finishReason: FinishReason): ChatCompletionChunk {
    return this.delta({}, finishReason);
  }

  usage(usage: Usage): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
  }
}
