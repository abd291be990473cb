import { ChatCompletionResponse } from '@cp/shared/contracts';
import { parseWire } from '../parse-json';

/**
 * Validates an OpenAI-compatible provider's response with the contracts schema.
 * @throws ProviderResponseError (class malformed_response) when it does not match.
 */
export function parseOpenAiResponse(json: unknown): ChatCompletionResponse {
  return parseWire(ChatCompletionResponse, json, 'OpenAI-compatible response');
}
