import type { RpcDefinition, RpcError } from '@cp/shared/contracts';
import { BusRequestError, type NatsBus } from '@cp/shared/messaging';
import type { z } from 'zod';
import { GatewayError } from './gateway-error';

/**
 * Asks the memory plane over NATS and turns its answer into the route's result: its `{ error }`
 * becomes the same error at the edge; no answer is a 503 (504 when it timed out).
 */
export async function askMemory<Req extends z.ZodType, Rep extends z.ZodType>(bus: NatsBus, rpc: RpcDefinition<Req, Rep>, req: z.infer<Req>, timeoutMs: number): Promise<Exclude<z.infer<Rep>, { error: RpcError }>> {
  let reply: z.infer<Rep>;
  try {
    reply = await bus.request(rpc, req, timeoutMs);
  } catch (err) {
    if (err instanceof BusRequestError && err.code === 'BUS.TIMEOUT') throw new GatewayError(504, 'memory_timeout', 'timeout', 'the memory plane did not answer in time');
    if (err instanceof BusRequestError && err.code === 'BUS.TOO_LARGE') throw new GatewayError(413, 'request_too_large', 'invalid_request_error', 'the request is too large to forward to the memory plane');
    throw new GatewayError(503, 'memory_unavailable', 'service_unavailable', 'the memory plane is not reachable');
  }
  if (reply && typeof reply === 'object' && 'error' in reply) {
    const e = (reply as { error: RpcError }).error;
    throw new GatewayError(e.status, e.code, e.type, e.message);
  }
  return reply as Exclude<z.infer<Rep>, { error: RpcError }>;
}
