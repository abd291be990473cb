import { z } from 'zod';
import { defineRpc, RpcError } from './rpc';

export const ProbeGrantRequest = z.object({
  /** The breaker key, `provider/model`. */
  key: z.string().min(1).max(300),
  /** The asking gateway replica (the `origin` of its breaker transitions). */
  replica: z.string().min(1).max(100),
});
export type ProbeGrantRequest = z.infer<typeof ProbeGrantRequest>;

export const ProbeGrantReply = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    granted: z.boolean(),
    /** The replica holding the lease: the asker when granted. */
    holder: z.string(),
    /** Epoch ms on the router's clock when the lease ends, unless its holder reports an outcome first. */
    until: z.number().int().nonnegative(),
    /** How long the lease still runs: replicas count from their own clock with this, not `until`. */
    leaseMs: z.number().int().nonnegative(),
  }),
  z.object({ ok: z.literal(false), error: RpcError }),
]);
export type ProbeGrantReply = z.infer<typeof ProbeGrantReply>;

/**
 * A gateway replica whose breaker reached its reset time asks for the single half-open probe of
 * that breaker across the deployment; the router grants one lease per key.
 */
export const RouterProbeGrant = defineRpc('router', 'probe-grant', 1, ProbeGrantRequest, ProbeGrantReply);
