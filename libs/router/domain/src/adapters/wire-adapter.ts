import type { ChatCompletionRequest, ChatCompletionResponse } from '@cp/shared/contracts';
import type { ModelSpec, Wire } from '../registry/registry.schema';
import type { ResolvedProvider } from '../registry/registry.types';
import { type AdapterContext, systemAdapterContext } from './adapter-context';
import { withOpenAiNulls } from './completion-shape';
import { ANTHROPIC_VERSION } from './anthropic/anthropic-mapping';
import { toAnthropicRequest } from './anthropic/anthropic-request';
import { fromAnthropicResponse } from './anthropic/anthropic-response';
import { AnthropicStreamTranslator } from './anthropic/anthropic-stream';
import { geminiPath } from './gemini/gemini-mapping';
import { toGeminiRequest } from './gemini/gemini-request';
import { fromGeminiResponse } from './gemini/gemini-response';
import { GeminiStreamTranslator } from './gemini/gemini-stream';
import { buildOpenAiRequest } from './openai/openai-request';
import { parseOpenAiResponse } from './openai/openai-response';
import { OpenAiStreamTranslator } from './openai/openai-stream';
import type { StreamTranslator, StreamTranslatorOptions } from './stream-translator';

/** An HTTP request to a provider: `path` is appended to the provider's effective base URL. */
export interface WireHttpRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** One wire format: how to ask, how to read the answer, how to read a stream. */
export interface WireAdapter {
  readonly wire: Wire;
  buildRequest(req: ChatCompletionRequest, model: ModelSpec, provider: ResolvedProvider): WireHttpRequest;
  /**
   * `requestModel` is what the answer reports as `model`; the completion pipeline passes the registry
   * id of the model that served (`gemini-2.5-pro`, not `auto`), as OpenAI reports the model it used.
   */
  parseResponse(json: unknown, requestModel: string): ChatCompletionResponse;
  createStreamTranslator(requestModel: string, options?: StreamTranslatorOptions): StreamTranslator;
}

/** Only a provider with a key gets an auth header; the simulator needs none. */
function baseHeaders(stream: boolean, provider: ResolvedProvider, auth: (key: string) => Record<string, string>): Record<string, string> {
  return { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...(provider.apiKey ? auth(provider.apiKey) : {}) };
}

function openAiAdapter(): WireAdapter {
  return {
    wire: 'openai',
    buildRequest: (req, model, provider) => ({
      path: '/chat/completions',
      headers: baseHeaders(req.stream === true, provider, (key) => ({ authorization: `Bearer ${key}` })),
      body: buildOpenAiRequest(req, model),
    }),
    parseResponse: (json, requestModel) => withOpenAiNulls({ ...parseOpenAiResponse(json), model: requestModel }),
    createStreamTranslator: (requestModel, options) => new OpenAiStreamTranslator(requestModel, options),
  };
}

function anthropicAdapter(ctx: AdapterContext): WireAdapter {
  return {
    wire: 'anthropic',
    buildRequest: (req, model, provider) => ({
      path: '/v1/messages',
      headers: { ...baseHeaders(req.stream === true, provider, (key) => ({ 'x-api-key': key })), 'anthropic-version': ANTHROPIC_VERSION },
      body: toAnthropicRequest(req, model, model.maxOutput),
    }),
    parseResponse: (json, requestModel) => fromAnthropicResponse(json, requestModel, ctx),
    createStreamTranslator: (requestModel, options) => new AnthropicStreamTranslator(requestModel, options, ctx),
  };
}

function geminiAdapter(ctx: AdapterContext): WireAdapter {
  return {
    wire: 'gemini',
    buildRequest: (req, model, provider) => ({
      path: geminiPath(model.id, req.stream === true),
      headers: baseHeaders(req.stream === true, provider, (key) => ({ 'x-goog-api-key': key })),
      body: toGeminiRequest(req, model),
    }),
    parseResponse: (json, requestModel) => fromGeminiResponse(json, requestModel, ctx),
    createStreamTranslator: (requestModel, options) => new GeminiStreamTranslator(requestModel, options, ctx),
  };
}

/** The adapter of a wire format; `ctx` supplies clock and ids for the responses it builds. */
export function adapterFor(wire: Wire, ctx: AdapterContext = systemAdapterContext): WireAdapter {
  switch (wire) {
    case 'openai':
      return openAiAdapter();
    case 'anthropic':
      return anthropicAdapter(ctx);
    case 'gemini':
      return geminiAdapter(ctx);
    default: {
      const unhandled: never = wire;
      throw new Error(`unhandled wire ${String(unhandled)}`);
    }
  }
}
