import type { ChatCompletionResponse, ToolCall } from '@cp/shared/contracts';
import { type AdapterContext, epochSeconds, systemAdapterContext } from '../adapter-context';
import { chatCompletion } from '../completion-shape';
import { parseWire } from '../parse-json';
import { finishReasonFromAnthropic, usageFromAnthropic } from './anthropic-mapping';
import { AnthropicMessage, isTextBlock, isToolUseBlock } from './anthropic-wire';

/**
 * Translates an Anthropic message to an OpenAI chat completion: text blocks join into `content`,
 * tool_use blocks become `tool_calls` with their input serialised as JSON.
 * @throws ProviderResponseError when the body is not an Anthropic message.
 */
export function fromAnthropicResponse(json: unknown, requestModel: string, ctx: AdapterContext = systemAdapterContext): ChatCompletionResponse {
  const message = parseWire(AnthropicMessage, json, 'Anthropic response');
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (isTextBlock(block)) texts.push(block.text);
    if (isToolUseBlock(block)) {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const finish = finishReasonFromAnthropic(message.stop_reason) ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  return chatCompletion({
    id: message.id,
    created: epochSeconds(ctx),
    model: requestModel,
    content: texts.length > 0 ? texts.join('') : null,
    toolCalls,
    finishReason: finish,
    ...(message.usage ? { usage: usageFromAnthropic(message.usage) } : {}),
  });
}
