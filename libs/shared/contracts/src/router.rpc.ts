import { z } from 'zod';
import { defineRpc, RpcError } from './rpc';
import { ChatCompletionRequest, ChatCompletionResponse, Usage } from './openai/chat';
import { DecisionTrail } from './gateway.events';

export const CompleteRequest = z.object({
  requestId: z.string(),
  /** Epoch milliseconds by which the router must have answered. */
  deadlineAt: z.number(),
  request: ChatCompletionRequest,
});
export type CompleteRequest = z.infer<typeof CompleteRequest>;

export const CompleteReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), response: ChatCompletionResponse, provider: z.string(), model: z.string(), trail: DecisionTrail }),
  z.object({ ok: z.literal(false), error: RpcError, trail: DecisionTrail }),
]);
export type CompleteReply = z.infer<typeof CompleteReply>;

/**
 * What the router and the gateway check on the hot path (see `RpcDefinition.trusted`): the chat
 * request was validated in full by the gateway, the response by the router's wire adapter.
 */
const TrustedCompleteRequest = z.object({ requestId: z.string(), deadlineAt: z.number(), request: z.object({ model: z.string(), messages: z.array(z.unknown()).min(1) }).loose() });
const TrustedTrail = z.object({ attempts: z.array(z.unknown()), failover: z.boolean() }).loose();
const TrustedCompleteReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), response: z.object({ id: z.string(), choices: z.array(z.unknown()) }).loose(), provider: z.string(), model: z.string(), trail: TrustedTrail }),
  z.object({ ok: z.literal(false), error: RpcError, trail: TrustedTrail }),
]);

/** The one hop of the hot path: gateway -> router. */
export const RouterComplete = defineRpc('router', 'complete', 1, CompleteRequest, CompleteReply, { request: TrustedCompleteRequest, reply: TrustedCompleteReply });

/**
 * The streaming hop: the gateway publishes a `CompleteRequest` with its own inbox as the reply
 * subject; the router sends chunk frames (each one OpenAI chunk, already JSON) and then exactly one
 * end frame. Failover happens inside the router before the first chunk frame; after it, a failure
 * ends the stream with `ok: false` and `incomplete: true`.
 */
export const StreamEnd = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), provider: z.string(), model: z.string(), usage: Usage.optional(), chunks: z.number().int().nonnegative(), trail: DecisionTrail }),
  z.object({
    ok: z.literal(false),
    error: RpcError,
    /** Chunks had already been sent when the stream failed: the client got a partial answer. */
    incomplete: z.boolean(),
    provider: z.string().optional(),
    model: z.string().optional(),
    usage: Usage.optional(),
    chunks: z.number().int().nonnegative(),
    trail: DecisionTrail,
  }),
]);
export type StreamEnd = z.infer<typeof StreamEnd>;

export const RouterStream = defineRpc('router', 'stream', 1, CompleteRequest, StreamEnd, { request: TrustedCompleteRequest, reply: StreamEnd });
