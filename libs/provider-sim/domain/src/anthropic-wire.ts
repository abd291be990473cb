import { isNonEmptyString, isRecord, type JsonRecord } from './guards';
import { argumentsAsObject, directives, hasToolCalls, type ReplyDirectives, type SimReply } from './sim-reply';
import { sseEvent } from './sse';
import { splitText } from './tokens';
import { parseFailure, type ParseOutcome, type RenderInput, type WireFormat } from './wire-format';

type ContentBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** Characters of text in a string or a list of blocks, including text nested in tool results. */
function textChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (typeof block.text === 'string') chars += block.text.length;
    else if (block.type === 'tool_result') chars += textChars(block.content);
  }
  return chars;
}

function readUserContent(content: unknown): { text: string; images: number } {
  if (typeof content === 'string') return { text: content, images: 0 };
  if (!Array.isArray(content)) return { text: '', images: 0 };
  const texts: string[] = [];
  let images = 0;
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'image') images += 1;
  }
  return { text: texts.join(' '), images };
}

/** `tool_choice` `{type: 'tool', name}` forces that tool; `{type: 'any'}` forces one, and the sim takes the first. */
function anthropicDirectives(body: JsonRecord): ReplyDirectives {
  const choice = body.tool_choice;
  if (!isRecord(choice)) return {};
  if (choice.type === 'tool' && isNonEmptyString(choice.name)) return directives(choice.name, false);
  const first: unknown = Array.isArray(body.tools) ? body.tools[0] : undefined;
  if (choice.type === 'any' && isRecord(first) && isNonEmptyString(first.name)) return directives(first.name, false);
  return {};
}

export function parseAnthropicRequest(body: unknown): ParseOutcome {
  if (!isRecord(body)) return parseFailure('request body must be a JSON object');
  const { model, messages, max_tokens: maxTokens } = body;
  if (!isNonEmptyString(model)) return parseFailure('model: Field required');
  if (typeof maxTokens !== 'number') return parseFailure('max_tokens: Field required');
  if (!Array.isArray(messages) || messages.length === 0) return parseFailure('messages: at least one message is required');
  let promptChars = textChars(body.system);
  let lastUser: unknown;
  for (const message of messages) {
    if (!isRecord(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      return parseFailure("messages: each message needs role 'user' or 'assistant'");
    }
    promptChars += textChars(message.content);
    if (message.role === 'user') lastUser = message.content;
  }
  const user = readUserContent(lastUser);
  return {
    ok: true,
    request: { model, stream: body.stream === true, includeUsage: true, lastUserText: user.text, lastUserImages: user.images, promptChars, ...anthropicDirectives(body) },
  };
}

function stopReason(reply: SimReply): 'end_turn' | 'tool_use' {
  return hasToolCalls(reply) ? 'tool_use' : 'end_turn';
}

function toolUseId(id: string, index: number): string {
  return `toolu_${id}_${index}`;
}

function contentBlocks(input: RenderInput): ContentBlock[] {
  const { reply } = input;
  const blocks: ContentBlock[] = [];
  if (reply.content || !hasToolCalls(reply)) blocks.push({ type: 'text', text: reply.content ?? '' });
  reply.toolCalls.forEach((call, index) => {
    blocks.push({ type: 'tool_use', id: toolUseId(input.id, index), name: call.name, input: argumentsAsObject(call.arguments) });
  });
  return blocks;
}

export function renderAnthropicMessage(input: RenderInput) {
  return {
    id: `msg_${input.id}`,
    type: 'message' as const,
    role: 'assistant' as const,
    content: contentBlocks(input),
    model: input.model,
    stop_reason: stopReason(input.reply),
    stop_sequence: null,
    usage: { input_tokens: input.usage.prompt, output_tokens: input.usage.completion },
  };
}

/**
 * A streamed tool_use block's input, as its `input_json_delta` fragments carry it. A scripted string
 * argument goes out verbatim (a model can stream JSON that does not parse); an object as JSON.
 */
function blockFrames(block: ContentBlock, index: number, rawArguments?: string): string[] {
  if (block.type === 'text') {
    const deltas = splitText(block.text).map((text) => sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }));
    return [sseEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }), ...deltas];
  }
  const start = { type: 'tool_use', id: block.id, name: block.name, input: {} };
  const json = rawArguments ?? JSON.stringify(block.input);
  const deltas = splitText(json).map((partial_json) => sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }));
  return [sseEvent('content_block_start', { type: 'content_block_start', index, content_block: start }), ...deltas];
}

/** The Messages streaming protocol: message_start, a ping, one start/delta.../stop run per block, then message_delta and message_stop. */
export function renderAnthropicStream(input: RenderInput): string[] {
  const message = renderAnthropicMessage(input);
  const start = { ...message, content: [], stop_reason: null, usage: { input_tokens: input.usage.prompt, output_tokens: 1 } };
  const frames = [sseEvent('message_start', { type: 'message_start', message: start }), sseEvent('ping', { type: 'ping' })];
  const calls = input.reply.toolCalls;
  const firstTool = message.content.findIndex((b) => b.type === 'tool_use');
  message.content.forEach((block, index) => {
    const raw = block.type === 'tool_use' ? calls[index - firstTool]?.arguments : undefined;
    frames.push(...blockFrames(block, index, typeof raw === 'string' ? raw : undefined), sseEvent('content_block_stop', { type: 'content_block_stop', index }));
  });
  frames.push(
    sseEvent('message_delta', { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: input.usage.completion } }),
    sseEvent('message_stop', { type: 'message_stop' }),
  );
  return frames;
}

function errorType(status: number): string {
  switch (status) {
    case 400: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 402: return 'billing_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 503: case 529: return 'overloaded_error';
    case 504: return 'timeout_error';
    default: return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function anthropicErrorBody(status: number, message: string) {
  return { type: 'error' as const, error: { type: errorType(status), message } };
}

export const anthropicWire: WireFormat = {
  name: 'anthropic',
  parse: parseAnthropicRequest,
  renderJson: renderAnthropicMessage,
  renderStream: renderAnthropicStream,
  terminalFrames: 1,
  errorBody: anthropicErrorBody,
  errorEvent: (message) => sseEvent('error', anthropicErrorBody(500, message)),
  wrongSchemaStream: sseEvent('message_start', { result: 'ok' }),
};
