import type { ChatCompletionRequest, ContentPart, FunctionTool, ToolChoice } from '@cp/shared/contracts';
import { assertSingleChoice } from '../../chat/output-limit';
import { type ConversationMessage, contentParts, contentText, imageSource, isSystemMessage, partParam, systemTexts } from '../../chat/content';
import { parseToolArguments } from '../tool-arguments';
import { splitToolCallId } from '../tool-call-id';

export type AnthropicBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string };

export interface AnthropicMessageParam {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessageParam[];
  system?: string;
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  tool_choice?: { type: 'auto' | 'any' | 'none'; disable_parallel_tool_use?: boolean } | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean };
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  stream?: boolean;
  metadata?: { user_id: string };
}

/** The image media types the Messages API takes inline. */
const ANTHROPIC_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function imageBlock(url: string, param: string): AnthropicBlock {
  const source = imageSource(url, param, 'anthropic', ANTHROPIC_IMAGE_TYPES);
  return { type: 'image', source: source.kind === 'data' ? { type: 'base64', media_type: source.mediaType, data: source.base64 } : { type: 'url', url: source.url } };
}

function userBlocks(parts: ContentPart[], index: number): AnthropicBlock[] {
  return parts.flatMap((part, i): AnthropicBlock[] => {
    if (part.type === 'image_url') return [imageBlock(part.image_url.url, partParam(index, i, 'image_url.url'))];
    return part.text === '' ? [] : [{ type: 'text', text: part.text }];
  });
}

function messageBlocks(message: ConversationMessage, index: number): AnthropicMessageParam {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: userBlocks(contentParts(message.content), index) };
    case 'assistant': {
      const text = contentText(message.content);
      const calls = (message.tool_calls ?? []).map((call): AnthropicBlock => ({ type: 'tool_use', id: splitToolCallId(call.id).id, name: call.function.name, input: parseToolArguments(call.function.arguments) }));
      return { role: 'assistant', content: [...(text === '' ? [] : [{ type: 'text' as const, text }]), ...calls] };
    }
    case 'tool':
      return { role: 'user', content: [{ type: 'tool_result', tool_use_id: splitToolCallId(message.tool_call_id).id, content: contentText(message.content) }] };
  }
}

/** Consecutive turns of one role become one message: that is how tool results must travel. */
function mergeTurns(turns: AnthropicMessageParam[]): AnthropicMessageParam[] {
  const merged: AnthropicMessageParam[] = [];
  for (const turn of turns) {
    if (turn.content.length === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.role === turn.role) last.content = [...last.content, ...turn.content];
    else merged.push({ role: turn.role, content: [...turn.content] });
  }
  return merged;
}

function toolChoice(choice: ToolChoice | undefined, parallel: unknown): AnthropicRequest['tool_choice'] {
  const extra = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...extra } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...extra };
  if (choice === 'required') return { type: 'any', ...extra };
  return { type: 'tool', name: choice.function.name, ...extra };
}

function tool(t: FunctionTool): NonNullable<AnthropicRequest['tools']>[number] {
  const schema = t.function.parameters ?? { type: 'object', properties: {} };
  return { name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), input_schema: schema };
}

/**
 * Translates an OpenAI chat request to the Anthropic Messages API. System and developer messages
 * (wherever they appear) join into `system`; `max_tokens` is required there, so it falls back to
 * `maxOutputDefault`; temperature is capped at Anthropic's maximum of 1. Options the Messages API
 * has no field for (penalties, seed, logprobs, `response_format`, unknown fields) are dropped; `n`
 * above 1 is refused.
 */
export function toAnthropicRequest(req: ChatCompletionRequest, model: { id: string }, maxOutputDefault: number): AnthropicRequest {
  assertSingleChoice(req, 'anthropic');
  const system = systemTexts(req.messages);
  const turns = req.messages.flatMap((m, index) => (isSystemMessage(m) ? [] : [messageBlocks(m, index)]));
  const body: AnthropicRequest = { model: model.id, max_tokens: req.max_completion_tokens ?? req.max_tokens ?? maxOutputDefault, messages: mergeTurns(turns) };
  if (system.length > 0) body.system = system.join('\n\n');
  if (req.tools && req.tools.length > 0) body.tools = req.tools.map(tool);
  const choice = toolChoice(req.tool_choice, req['parallel_tool_calls']);
  if (choice && body.tools) body.tool_choice = choice;
  if (typeof req.temperature === 'number') body.temperature = Math.min(req.temperature, 1);
  if (typeof req.top_p === 'number') body.top_p = req.top_p;
  if (req.stop) body.stop_sequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (req.stream === true) body.stream = true;
  if (req.user) body.metadata = { user_id: req.user };
  return body;
}
