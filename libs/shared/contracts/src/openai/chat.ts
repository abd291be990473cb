import { z } from 'zod';
import { isCleanIdentifier } from '../storable';

/**
 * The OpenAI Chat Completions wire format, as agents send it to the gateway and as OpenAI-compatible
 * providers speak it. Unknown fields are kept (`loose`) so options we do not model still reach
 * providers that understand them.
 */
/**
 * A name the client chooses that ends up in routing, events and logs (model, tool names): control
 * characters and unpaired surrogates are refused with a 400 naming the field.
 */
export const Identifier = (max: number) => z.string().min(1).max(max).refine(isCleanIdentifier, { message: 'must not contain control characters or unpaired surrogates' });

export const TextPart = z.object({ type: z.literal('text'), text: z.string() }).loose();
export const ImagePart = z
  .object({
    type: z.literal('image_url'),
    image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }).loose(),
  })
  .loose();
export const ContentPart = z.discriminatedUnion('type', [TextPart, ImagePart]);
export type ContentPart = z.infer<typeof ContentPart>;

export const ToolCall = z
  .object({
    id: z.string(),
    type: z.literal('function'),
    function: z.object({ name: z.string(), arguments: z.string() }),
  })
  .loose();
export type ToolCall = z.infer<typeof ToolCall>;

const SystemMessage = z.object({ role: z.enum(['system', 'developer']), content: z.union([z.string(), z.array(TextPart)]), name: z.string().optional() }).loose();
const UserMessage = z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(ContentPart)]), name: z.string().optional() }).loose();
const AssistantMessage = z
  .object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(TextPart)]).nullable().optional(),
    tool_calls: z.array(ToolCall).optional(),
    name: z.string().optional(),
  })
  .loose();
const ToolMessage = z.object({ role: z.literal('tool'), content: z.union([z.string(), z.array(TextPart)]), tool_call_id: z.string() }).loose();

export const ChatMessage = z.discriminatedUnion('role', [SystemMessage, UserMessage, AssistantMessage, ToolMessage]);
export type ChatMessage = z.infer<typeof ChatMessage>;

export const FunctionTool = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: Identifier(64),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      })
      .loose(),
  })
  .loose();
export type FunctionTool = z.infer<typeof FunctionTool>;

export const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: Identifier(64) }) }).loose(),
]);
export type ToolChoice = z.infer<typeof ToolChoice>;

/** The most choices one request may ask for (`n`): each is a full completion the provider bills. */
export const MAX_CHOICES = 8;

/** OpenAI's three response formats; `json_schema` carries the schema the answer must follow. */
export const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).loose(),
  z.object({ type: z.literal('json_object') }).loose(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z
        .object({
          name: z.string().min(1).max(64),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullable().optional(),
        })
        .loose(),
    })
    .loose(),
]);
export type ResponseFormat = z.infer<typeof ResponseFormat>;

/**
 * What the gateway checks is what it knows: OpenAI's documented ranges for the sampling numbers, at
 * most `MAX_CHOICES` choices, the three response formats. `max_tokens` above the chosen model's
 * limit is clamped per candidate by the pipeline (docs/routing.md). Fields it does not know pass to
 * OpenAI-wire providers as sent and are dropped by the Anthropic and Gemini adapters.
 */
export const ChatCompletionRequest = z
  .object({
    model: Identifier(200),
    messages: z.array(ChatMessage).min(1),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    tools: z.array(FunctionTool).optional(),
    tool_choice: ToolChoice.optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    n: z.number().int().min(1).max(MAX_CHOICES).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    presence_penalty: z.number().min(-2).max(2).nullable().optional(),
    frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    logprobs: z.boolean().nullable().optional(),
    top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
    logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullable().optional(),
    stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
    response_format: ResponseFormat.nullable().optional(),
    user: z.string().optional(),
  })
  .loose();
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** The same checks without `tools` (passed through as an unknown key): for a body whose tools were validated before (the gateway's tools memo). */
export const ChatCompletionRequestWithoutTools = ChatCompletionRequest.omit({ tools: true });

export const Usage = z
  .object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative(), total_tokens: z.number().int().nonnegative() })
  .loose();
export type Usage = z.infer<typeof Usage>;

export const FinishReason = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);
export type FinishReason = z.infer<typeof FinishReason>;

export const ChatCompletionResponse = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z
      .array(
        z
          .object({
            index: z.number().int(),
            message: z
              .object({ role: z.literal('assistant'), content: z.string().nullable(), tool_calls: z.array(ToolCall).optional() })
              .loose(),
            finish_reason: FinishReason.nullable(),
          })
          .loose(),
      )
      .min(1),
    usage: Usage.optional(),
  })
  .loose();
export type ChatCompletionResponse = z.infer<typeof ChatCompletionResponse>;

export const ChatCompletionChunk = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion.chunk'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z
        .object({
          index: z.number().int(),
          delta: z
            .object({
              role: z.literal('assistant').optional(),
              content: z.string().nullable().optional(),
              tool_calls: z
                .array(
                  z
                    .object({
                      index: z.number().int(),
                      id: z.string().optional(),
                      type: z.literal('function').optional(),
                      function: z.object({ name: z.string().optional(), arguments: z.string().optional() }).loose().optional(),
                    })
                    .loose(),
                )
                .optional(),
            })
            .loose(),
          finish_reason: FinishReason.nullable(),
        })
        .loose(),
    ),
    usage: Usage.nullable().optional(),
  })
  .loose();
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>;

/** The OpenAI error body: what every bad request, auth failure and provider outage answers with. */
export const OpenAiErrorBody = z.object({
  error: z.object({ message: z.string(), type: z.string(), code: z.string().nullable(), param: z.string().nullable().optional() }),
});
export type OpenAiErrorBody = z.infer<typeof OpenAiErrorBody>;
