import type { FinishReason, Usage } from '@cp/shared/contracts';
import type { ProviderErrorClass } from '../../errors/provider-error-class';
import { classifyProviderError } from '../../errors/classify-provider-error';
import type { AnthropicUsage } from './anthropic-wire';

export const ANTHROPIC_VERSION = '2023-06-01';

export function finishReasonFromAnthropic(stopReason: string | null | undefined): FinishReason | null {
  switch (stopReason) {
    case null:
    case undefined:
      return null;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn and anything newer end the turn normally.
      return 'stop';
  }
}

/** OpenAI's prompt_tokens include cached tokens; Anthropic reports them apart. */
export function usageFromAnthropic(usage: AnthropicUsage): Usage {
  const prompt = (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  const completion = usage.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The HTTP status and error class an Anthropic error type stands for (unknown types: server). */
export function classifyAnthropicErrorType(type: string): { status: number; errorClass: ProviderErrorClass } {
  const status = STATUS_BY_ERROR_TYPE[type] ?? 500;
  return { status, errorClass: classifyProviderError({ kind: 'http', status }).class };
}
