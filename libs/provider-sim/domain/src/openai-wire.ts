import type { ChatCompletionChunk, ChatCompletionResponse, OpenAiErrorBody, ToolCall } from '@cp/shared/contracts';
import { isNonEmptyString, isRecord, type JsonRecord } from './guards';
import { argumentsAsString, directives, hasToolCalls, type ReplyDirectives, type SimReply } from './sim-reply';
import { sseData } from './sse';
import { splitText } from './tokens';
import { parseFailure, type ParseOutcome, type RenderInput, type WireFormat } from './wire-format';

interface UserContent {
  text: string;
  images: number;
}

function readContent(content: unknown): UserContent {
  if (typeof content === 'string') return { text: content, images: 0 };
  if (!Array.isArray(content)) return { text: '', images: 0 };
  const texts: string[] = [];
  let images = 0;
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (part.type === 'image_url') images += 1;
  }
  return { text: texts.join(' '), images };
}

function textChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const part of content) if (isRecord(part) && typeof part.text === 'string') chars += part.text.length;
  return chars;
}

function functionName(tool: unknown): string | undefined {
  return isRecord(tool) && isRecord(tool.function) && isNonEmptyString(tool.function.name) ? tool.function.name : undefined;
}

/** A named `tool_choice` forces that function; `required` forces one, and the sim takes the first. */
function openAiDirectives(body: JsonRecord): ReplyDirectives {
  const choice = body.tool_choice;
  const forced = isRecord(choice) ? functionName(choice) : choice === 'required' && Array.isArray(body.tools) ? functionName(body.tools[0]) : undefined;
  const format = body.response_format;
  const schema = isRecord(format) && format.type === 'json_schema' && isRecord(format.json_schema) ? format.json_schema.schema : undefined;
  return directives(forced, isRecord(format) && (format.type === 'json_object' || format.type === 'json_schema'), schema);
}

/** Checks only what a real provider would reject outright; everything else is ignored. */
export function parseOpenAiRequest(body: unknown): ParseOutcome {
  if (!isRecord(body)) return parseFailure('request body must be a JSON object');
  const { model, messages } = body;
  if (!isNonEmptyString(model)) return parseFailure("you must provide a model parameter ('model')");
  if (!Array.isArray(messages) || messages.length === 0) return parseFailure("'messages' must be a non-empty array");
  let promptChars = 0;
  let lastUser: unknown;
  for (const message of messages) {
    if (!isRecord(message) || typeof message.role !== 'string') return parseFailure("each message needs a 'role'");
    promptChars += textChars(message.content);
    if (message.role === 'user') lastUser = message.content;
  }
  const user = readContent(lastUser);
  const options = body.stream_options;
  return {
    ok: true,
    request: {
      model,
      stream: body.stream === true,
      includeUsage: isRecord(options) && options.include_usage === true,
      lastUserText: user.text,
      lastUserImages: user.images,
      promptChars,
      ...openAiDirectives(body),
    },
  };
}

function toolCallId(id: string, index: number): string {
  return `call_${id}_${index}`;
}

function finishReason(reply: SimReply): 'stop' | 'tool_calls' {
  return hasToolCalls(reply) ? 'tool_calls' : 'stop';
}

function renderToolCalls(input: RenderInput): ToolCall[] {
  return input.reply.toolCalls.map((call, index) => ({
    id: toolCallId(input.id, index),
    type: 'function',
    function: { name: call.name, arguments: argumentsAsString(call.arguments) },
  }));
}

function usageOf(input: RenderInput) {
  const { prompt, completion } = input.usage;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function renderOpenAiCompletion(input: RenderInput): ChatCompletionResponse {
  const { reply } = input;
  const message: ChatCompletionResponse['choices'][number]['message'] = { role: 'assistant', content: reply.content, refusal: null };
  if (hasToolCalls(reply)) message.tool_calls = renderToolCalls(input);
  return {
    id: `chatcmpl-${input.id}`,
    object: 'chat.completion',
    created: input.created,
    model: input.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply) }],
    usage: usageOf(input),
    system_fingerprint: 'fp_provider_sim',
  };
}

type Delta = ChatCompletionChunk['choices'][number]['delta'];

/** Role first, the content in several deltas, each tool call's name then its arguments in pieces. */
function deltas(input: RenderInput): Delta[] {
  const { reply } = input;
  const out: Delta[] = [{ role: 'assistant', content: hasToolCalls(reply) && !reply.content ? null : '' }];
  for (const piece of splitText(reply.content ?? '')) out.push({ content: piece });
  reply.toolCalls.forEach((call, index) => {
    const head = { index, id: toolCallId(input.id, index), type: 'function' as const, function: { name: call.name, arguments: '' } };
    out.push({ tool_calls: [head] });
    for (const piece of splitText(argumentsAsString(call.arguments))) out.push({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  return out;
}

export function renderOpenAiStream(input: RenderInput): string[] {
  const base = { id: `chatcmpl-${input.id}`, object: 'chat.completion.chunk' as const, created: input.created, model: input.model, system_fingerprint: 'fp_provider_sim' };
  const usage = input.includeUsage ? { usage: null } : {};
  const chunk = (delta: Delta, finish: 'stop' | 'tool_calls' | null): ChatCompletionChunk => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...usage,
  });
  const frames = deltas(input).map((delta) => sseData(chunk(delta, null)));
  frames.push(sseData(chunk({}, finishReason(input.reply))));
  if (input.includeUsage) frames.push(sseData({ ...base, choices: [], usage: usageOf(input) }));
  frames.push('data: [DONE]\n\n');
  return frames;
}

function errorKind(status: number): { type: string; code: string | null } {
  switch (status) {
    case 400: return { type: 'invalid_request_error', code: null };
    case 401: return { type: 'invalid_request_error', code: 'invalid_api_key' };
    case 402: return { type: 'insufficient_quota', code: 'insufficient_quota' };
    case 403: return { type: 'permission_error', code: null };
    case 404: return { type: 'invalid_request_error', code: 'model_not_found' };
    case 413: return { type: 'invalid_request_error', code: 'request_too_large' };
    case 429: return { type: 'rate_limit_error', code: 'rate_limit_exceeded' };
    default: return { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
  }
}

export function openAiErrorBody(status: number, message: string): OpenAiErrorBody {
  return { error: { message, ...errorKind(status), param: null } };
}

export const openAiWire: WireFormat = {
  name: 'openai',
  parse: parseOpenAiRequest,
  renderJson: renderOpenAiCompletion,
  renderStream: renderOpenAiStream,
  terminalFrames: 1,
  errorBody: openAiErrorBody,
  errorEvent: (message) => sseData(openAiErrorBody(500, message)),
  wrongSchemaStream: `${sseData({ result: 'ok' })}data: [DONE]\n\n`,
};
