import { z } from 'zod';
import { defineRpc, RpcError } from './rpc';
import { ChatCompletionRequest, ChatCompletionResponse } from './openai/chat';
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

/** The one hop of the hot path: gateway -> router. */
export const RouterComplete = defineRpc('router', 'complete', 1, CompleteRequest, CompleteReply);
