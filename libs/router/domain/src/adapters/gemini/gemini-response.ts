import type { ChatCompletionResponse } from '@cp/shared/contracts';
import { ProviderResponseError } from '../../errors/domain-errors';
import { type AdapterContext, epochSeconds, systemAdapterContext } from '../adapter-context';
import { chatCompletion } from '../completion-shape';
import { parseWire } from '../parse-json';
import { finishReasonFromGemini, textOfParts, toolCallsOfParts, usageFromGemini } from './gemini-mapping';
import { GeminiResponse } from './gemini-wire';

/**
 * Translates a Gemini GenerateContentResponse to an OpenAI chat completion. Function calls become
 * tool calls with generated ids (unless Gemini sent one); a prompt blocked before any candidate
 * becomes an empty `content_filter` answer.
 * @throws ProviderResponseError when the body is not a GenerateContentResponse or has no candidate.
 */
export function fromGeminiResponse(json: unknown, requestModel: string, ctx: AdapterContext = systemAdapterContext): ChatCompletionResponse {
  const response = parseWire(GeminiResponse, json, 'Gemini response');
  const candidate = response.candidates?.[0];
  const blocked = response.promptFeedback?.blockReason;
  if (!candidate && !blocked) throw new ProviderResponseError('Gemini response has no candidates');
  const parts = candidate?.content?.parts ?? [];
  const text = textOfParts(parts);
  const toolCalls = toolCallsOfParts(parts, ctx);
  const finish = candidate ? (finishReasonFromGemini(candidate.finishReason ?? 'STOP', toolCalls.length > 0) ?? 'stop') : 'content_filter';
  return chatCompletion({
    id: `chatcmpl-${response.responseId ?? ctx.newId()}`,
    created: epochSeconds(ctx),
    model: requestModel,
    content: text === '' ? null : text,
    toolCalls,
    finishReason: finish,
    ...(response.usageMetadata ? { usage: usageFromGemini(response.usageMetadata) } : {}),
  });
}
