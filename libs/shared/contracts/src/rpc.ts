import { z } from 'zod';

/** A request/reply contract: subject `cp.<domain>.rpc.<verb>.v<N>` with both payload schemas. */
export interface RpcDefinition<Req extends z.ZodType = z.ZodType, Rep extends z.ZodType = z.ZodType> {
  readonly subject: string;
  readonly request: Req;
  readonly reply: Rep;
}

export function defineRpc<Req extends z.ZodType, Rep extends z.ZodType>(
  domain: string,
  verb: string,
  version: number,
  request: Req,
  reply: Rep,
): RpcDefinition<Req, Rep> {
  return { subject: `cp.${domain}.rpc.${verb}.v${version}`, request, reply };
}

/** The error half of every RPC reply, already in the shape the gateway maps to the OpenAI error body. */
export const RpcError = z.object({
  status: z.number().int().min(400).max(599),
  code: z.string(),
  type: z.string(),
  message: z.string(),
});
export type RpcError = z.infer<typeof RpcError>;
