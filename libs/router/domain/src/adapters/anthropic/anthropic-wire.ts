import { z } from 'zod';

/** The parts of the Anthropic Messages API the adapter reads. Unknown fields are tolerated. */
export const AnthropicUsage = z
  .object({
    input_tokens: z.number().int().nonnegative().nullable().optional(),
    output_tokens: z.number().int().nonnegative().nullable().optional(),
    cache_creation_input_tokens: z.number().int().nonnegative().nullable().optional(),
    cache_read_input_tokens: z.number().int().nonnegative().nullable().optional(),
  })
  .loose();
export type AnthropicUsage = z.infer<typeof AnthropicUsage>;

const TextBlock = z.object({ type: z.literal('text'), text: z.string() }).loose();
const ToolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() }).loose();
/** Blocks we do not translate (thinking, server tools): skipped, but a broken text/tool_use block is an error. */
const OtherBlock = z
  .object({ type: z.string() })
  .loose()
  .refine((block) => block.type !== 'text' && block.type !== 'tool_use', 'malformed content block');

export const AnthropicContentBlock = z.union([TextBlock, ToolUseBlock, OtherBlock]);
export type AnthropicContentBlock = z.infer<typeof AnthropicContentBlock>;
export type AnthropicTextBlock = z.infer<typeof TextBlock>;
export type AnthropicToolUseBlock = z.infer<typeof ToolUseBlock>;

/** Sound because `OtherBlock` refuses the types `text` and `tool_use`. */
export function isTextBlock(block: AnthropicContentBlock): block is AnthropicTextBlock {
  return block.type === 'text';
}

export function isToolUseBlock(block: AnthropicContentBlock): block is AnthropicToolUseBlock {
  return block.type === 'tool_use';
}

export const AnthropicMessage = z
  .object({
    id: z.string(),
    type: z.literal('message'),
    role: z.literal('assistant'),
    content: z.array(AnthropicContentBlock),
    model: z.string().optional(),
    stop_reason: z.string().nullable().optional(),
    usage: AnthropicUsage.optional(),
  })
  .loose();
export type AnthropicMessage = z.infer<typeof AnthropicMessage>;

export const AnthropicStreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: z.object({ id: z.string(), usage: AnthropicUsage.optional() }).loose() }).loose(),
  z.object({ type: z.literal('content_block_start'), index: z.number().int(), content_block: AnthropicContentBlock }).loose(),
  z
    .object({
      type: z.literal('content_block_delta'),
      index: z.number().int(),
      delta: z.union([
        z.object({ type: z.literal('text_delta'), text: z.string() }).loose(),
        z.object({ type: z.literal('input_json_delta'), partial_json: z.string() }).loose(),
        z.object({ type: z.string() }).loose(),
      ]),
    })
    .loose(),
  z.object({ type: z.literal('content_block_stop'), index: z.number().int() }).loose(),
  z.object({ type: z.literal('message_delta'), delta: z.object({ stop_reason: z.string().nullable().optional() }).loose(), usage: AnthropicUsage.optional() }).loose(),
  z.object({ type: z.literal('message_stop') }).loose(),
  z.object({ type: z.literal('ping') }).loose(),
  z.object({ type: z.literal('error'), error: z.object({ type: z.string(), message: z.string() }).loose() }).loose(),
]);
export type AnthropicStreamEvent = z.infer<typeof AnthropicStreamEvent>;
