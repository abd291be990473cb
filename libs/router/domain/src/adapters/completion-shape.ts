import type { ChatCompletionResponse, FinishReason, ToolCall, Usage } from '@cp/shared/contracts';

/** What a translated answer carries, whatever wire it came from. */
export interface TranslatedAnswer {
  id: string;
  created: number;
  model: string;
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage?: Usage;
}

/**
 * An answer from a non-OpenAI wire in the exact shape OpenAI sends, so the SDKs find every field
 * they type as present: `message.refusal` and `logprobs` are `null` (those wires have neither).
 */
export function chatCompletion(answer: TranslatedAnswer): ChatCompletionResponse {
  return {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.content, refusal: null, ...(answer.toolCalls.length > 0 ? { tool_calls: answer.toolCalls } : {}) },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    ...(answer.usage ? { usage: answer.usage } : {}),
  };
}

/**
 * An OpenAI-compatible provider's answer with the fields the SDKs type as always present filled in
 * when the provider left them out (several OpenAI-compatible APIs omit `logprobs` and `refusal`).
 */
export function withOpenAiNulls(response: ChatCompletionResponse): ChatCompletionResponse {
  return {
    ...response,
    choices: response.choices.map((choice) => ({ ...choice, logprobs: choice['logprobs'] ?? null, message: { ...choice.message, refusal: choice.message['refusal'] ?? null } })),
  };
}
