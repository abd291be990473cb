import { z } from 'zod';
import { defineEvent } from './envelope';
import { Usage } from './openai/chat';
import { ShapingOrder, ShapingRecord } from './shaping-trail';

/** Costs in the ledger are rounded to the nano-dollar, so sums carry no float noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

/** One call to one provider within a request, as the router saw it. */
export const ProviderAttempt = z.object({
  provider: z.string(),
  model: z.string(),
  outcome: z.enum(['ok', 'error', 'skipped']),
  errorClass: z.string().optional(),
  status: z.number().int().optional(),
  message: z.string().optional(),
  latencyMs: z.number().nonnegative(),
  usage: Usage.optional(),
  /** What the call cost at the registry's price for the model, when the provider reported usage. */
  costUsd: z.number().nonnegative().optional(),
  /** The client's token limit was above the model's `maxOutput`: what it asked and what was sent. */
  maxTokensClamped: z.object({ field: z.string(), requested: z.number().int(), sent: z.number().int() }).optional(),
  /** What request shaping did for this candidate (docs/shaping.md). */
  shaping: ShapingRecord.optional(),
});
export type ProviderAttempt = z.infer<typeof ProviderAttempt>;

/**
 * The decision trail of a request: filled by the router (route, breakers, attempts) and the gateway.
 * Later concerns (shaping, repairs, memory) add their own keys; `loose` keeps them.
 */
export const DecisionTrail = z
  .object({
    route: z.unknown().optional(),
    attempts: z.array(ProviderAttempt),
    failover: z.boolean(),
    breakers: z.record(z.string(), z.string()).optional(),
    /** Candidates moved ahead because the request fits them whole (docs/shaping.md). */
    shapingOrder: ShapingOrder.optional(),
  })
  .loose();
export type DecisionTrail = z.infer<typeof DecisionTrail>;

export const RequestCompleted = defineEvent(
  'gateway.request-completed',
  1,
  z.object({
    requestId: z.string(),
    status: z.number().int(),
    /** `abandoned`: the gateway holding the request died before answering (status 0); the provider may have served it. */
    outcome: z.enum(['ok', 'error', 'incomplete', 'abandoned']),
    model: z.string().optional(),
    provider: z.string().optional(),
    providerModel: z.string().optional(),
    stream: z.boolean(),
    timings: z.object({ receivedAt: z.string(), totalMs: z.number(), routerMs: z.number().optional(), firstChunkMs: z.number().optional() }),
    usage: Usage.optional(),
    /** The request's cost in USD: the sum over its attempts (see `ProviderAttempt.costUsd`). */
    costUsd: z.number().nonnegative().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    trail: DecisionTrail.optional(),
  }),
);
