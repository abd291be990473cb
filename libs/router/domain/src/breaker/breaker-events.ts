import { z } from 'zod';

/** A state change of one breaker: published as an event, replayed by `BreakerBook.apply`. */
export const BreakerTransitionSchema = z.object({
  type: z.enum(['breaker.opened', 'breaker.half-opened', 'breaker.closed']),
  /** `provider/model`. */
  key: z.string(),
  provider: z.string(),
  model: z.string(),
  /** Epoch milliseconds. */
  at: z.number(),
  consecutiveFailures: z.int().nonnegative(),
  reason: z.string(),
  /** Opened because the provider rejected its key or billing (401/402/403), not by counted failures. */
  misconfigured: z.boolean().optional(),
});
export type BreakerTransition = z.infer<typeof BreakerTransitionSchema>;

/**
 * Changes only this replica needs to know: counting failures below the threshold, taking or
 * releasing the probe of a half-open breaker. Transitions are shared; these are not.
 */
export type BreakerLocalEvent =
  | { type: 'breaker.failure-counted'; at: number }
  | { type: 'breaker.failures-reset'; at: number }
  | { type: 'breaker.probe-started'; at: number }
  | { type: 'breaker.probe-released'; at: number };

export type BreakerEvent = BreakerTransition | BreakerLocalEvent;

export function isTransition(event: BreakerEvent): event is BreakerTransition {
  return event.type === 'breaker.opened' || event.type === 'breaker.half-opened' || event.type === 'breaker.closed';
}

export function breakerKey(provider: string, model: string): string {
  return `${provider}/${model}`;
}
