import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { withoutThoughtSignatures } from '../tool-call-id';

/**
 * Top-level request fields that belong to the gateway, not to providers: `cp` and anything
 * prefixed `cp_`. They are stripped before a request goes to a provider.
 */
export function isGatewayOnlyField(key: string): boolean {
  return key === 'cp' || key.startsWith('cp_');
}

/**
 * The request for an OpenAI-compatible provider: the client's request with the provider's model id,
 * without gateway-only fields, and with usage requested on streams so the gateway can account for
 * tokens (the translator drops the usage chunk unless the client asked for it). Tool call ids go
 * without any Gemini thought signature (see `tool-call-id.ts`).
 */
export function buildOpenAiRequest(req: ChatCompletionRequest, model: { id: string }): ChatCompletionRequest {
  const kept = Object.fromEntries(Object.entries(req).filter(([key]) => !isGatewayOnlyField(key)));
  const body: ChatCompletionRequest = { ...kept, model: model.id, messages: withoutThoughtSignatures(req.messages) };
  if (req.stream === true) body.stream_options = { ...req.stream_options, include_usage: true };
  else delete body.stream_options;
  return body;
}
