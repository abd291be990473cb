import type { ChatCompletionRequest, ContentPart, ToolChoice } from '@cp/shared/contracts';
import { assertSingleChoice } from '../../chat/output-limit';
import { type ConversationMessage, contentParts, contentText, guessImageMimeType, imageSource, isSystemMessage, partParam, systemTexts } from '../../chat/content';
import { InvalidChatRequestError } from '../../errors/domain-errors';
import { isPlainObject, parseToolArguments } from '../tool-arguments';
import { splitToolCallId } from '../tool-call-id';

export type GeminiRequestPart =
  | { text: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { name: string; args: Record<string, unknown> }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: Record<string, unknown> } };

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiRequestPart[];
}

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: { name: string; description?: string; parametersJsonSchema?: Record<string, unknown> }[] }[];
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } };
  generationConfig?: {
    maxOutputTokens?: number;
    temperature?: number;
    topP?: number;
    stopSequences?: string[];
    presencePenalty?: number;
    frequencyPenalty?: number;
    seed?: number;
    responseMimeType?: string;
    responseJsonSchema?: Record<string, unknown>;
  };
}

/** The image media types Gemini takes inline. */
const GEMINI_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif']);

function imagePart(url: string, param: string): GeminiRequestPart {
  const source = imageSource(url, param, 'gemini', GEMINI_IMAGE_TYPES);
  return source.kind === 'data' ? { inlineData: { mimeType: source.mediaType, data: source.base64 } } : { fileData: { mimeType: guessImageMimeType(source.url), fileUri: source.url } };
}

function userParts(parts: ContentPart[], index: number): GeminiRequestPart[] {
  return parts.flatMap((part, i): GeminiRequestPart[] => {
    if (part.type === 'image_url') return [imagePart(part.image_url.url, partParam(index, i, 'image_url.url'))];
    return part.text === '' ? [] : [{ text: part.text }];
  });
}

/** Function responses must be objects; JSON objects pass through, anything else goes under `result`. */
function functionResponse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : { result: value };
  } catch {
    return { result: text };
  }
}

/**
 * Gemini 3 refuses a tool turn whose first function call carries no thought signature, which is
 * the case for calls another provider made before a failover (or a client that lost the id). For
 * those, Google documents this placeholder, which skips the check.
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

function requiresThoughtSignatures(modelId: string): boolean {
  return modelId.startsWith('gemini-3');
}

function toContent(message: ConversationMessage, index: number, toolNames: Map<string, string>, modelId: string): GeminiContent {
  switch (message.role) {
    case 'user':
      return { role: 'user', parts: userParts(contentParts(message.content), index) };
    case 'assistant': {
      const text = contentText(message.content);
      const calls = (message.tool_calls ?? []).map((call, i): GeminiRequestPart => {
        toolNames.set(call.id, call.function.name);
        const signature = splitToolCallId(call.id).thoughtSignature ?? (i === 0 && requiresThoughtSignatures(modelId) ? SKIP_THOUGHT_SIGNATURE : undefined);
        return { functionCall: { name: call.function.name, args: parseToolArguments(call.function.arguments) }, ...(signature ? { thoughtSignature: signature } : {}) };
      });
      return { role: 'model', parts: [...(text === '' ? [] : [{ text }]), ...calls] };
    }
    case 'tool': {
      // Gemini matches results to calls by function name, which OpenAI tool messages do not carry.
      const name = toolNames.get(message.tool_call_id);
      if (!name) throw new InvalidChatRequestError(`tool message answers unknown tool_call_id '${message.tool_call_id.slice(0, 64)}'`, `messages[${index}].tool_call_id`);
      return { role: 'user', parts: [{ functionResponse: { name, response: functionResponse(contentText(message.content)) } }] };
    }
  }
}

function mergeTurns(contents: GeminiContent[]): GeminiContent[] {
  const merged: GeminiContent[] = [];
  for (const content of contents) {
    if (content.parts.length === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.role === content.role) last.parts = [...last.parts, ...content.parts];
    else merged.push({ role: content.role, parts: [...content.parts] });
  }
  return merged;
}

function toolConfig(choice: ToolChoice | undefined): GeminiRequest['toolConfig'] {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

function generationConfig(req: ChatCompletionRequest): GeminiRequest['generationConfig'] {
  const config: NonNullable<GeminiRequest['generationConfig']> = {};
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (typeof maxTokens === 'number') config.maxOutputTokens = maxTokens;
  if (typeof req.temperature === 'number') config.temperature = req.temperature;
  if (typeof req.top_p === 'number') config.topP = req.top_p;
  if (req.stop) config.stopSequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (typeof req.presence_penalty === 'number') config.presencePenalty = req.presence_penalty;
  if (typeof req.frequency_penalty === 'number') config.frequencyPenalty = req.frequency_penalty;
  if (typeof req.seed === 'number') config.seed = req.seed;
  const format = req.response_format;
  if (format?.type === 'json_object' || format?.type === 'json_schema') config.responseMimeType = 'application/json';
  // Plain JSON Schema, as OpenAI clients write it (`responseSchema` would want Google's OpenAPI subset).
  if (format?.type === 'json_schema' && format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * Translates an OpenAI chat request to a Gemini generateContent body. The model goes in the URL
 * (`geminiPath`), not the body. Tool parameters travel as `parametersJsonSchema` and a `json_schema`
 * response format as `responseJsonSchema`, both of which take JSON Schema as OpenAI clients write it.
 * Options Gemini has no field for (`logprobs`, `logit_bias`, unknown fields) are dropped; `n` above 1
 * is refused.
 */
export function toGeminiRequest(req: ChatCompletionRequest, model: { id: string }): GeminiRequest {
  assertSingleChoice(req, 'gemini');
  const toolNames = new Map<string, string>();
  const system = systemTexts(req.messages);
  const contents = req.messages.flatMap((m, index) => (isSystemMessage(m) ? [] : [toContent(m, index, toolNames, model.id)]));
  const body: GeminiRequest = { contents: mergeTurns(contents) };
  if (system.length > 0) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  if (req.tools && req.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: req.tools.map((t) => ({
          name: t.function.name,
          ...(t.function.description ? { description: t.function.description } : {}),
          ...(t.function.parameters ? { parametersJsonSchema: t.function.parameters } : {}),
        })),
      },
    ];
    const config = toolConfig(req.tool_choice);
    if (config) body.toolConfig = config;
  }
  const generation = generationConfig(req);
  if (generation) body.generationConfig = generation;
  return body;
}
