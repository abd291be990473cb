/**
 * The request does not fit the model even after shaping: its system messages and newest turn alone
 * (with every cut allowed) exceed the budget. A 400 in OpenAI's own shape and code.
 */
export class ContextLengthExceededError extends Error {
  readonly code = 'context_length_exceeded';
  readonly httpStatus = 400;
  readonly type = 'invalid_request_error';
  readonly param = 'messages';

  constructor(
    readonly model: string,
    readonly contextWindow: number,
    readonly inputTokens: number,
    readonly outputTokens: number,
    readonly marginTokens: number,
  ) {
    super(
      `${model}'s maximum context length is ${contextWindow} tokens; this request needs at least ${inputTokens} tokens of input after shaping ` +
        `(its system messages and newest turn, oversized messages cut) plus ${outputTokens} for the output and a margin of ${marginTokens}. Shorten the newest turn or the system messages.`,
    );
    this.name = 'ContextLengthExceededError';
  }
}
