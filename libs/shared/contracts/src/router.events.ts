import { z } from 'zod';
import { defineEvent } from './envelope';

/** A circuit breaker changed state (opened, half-opened, closed); replicas and restarts replay these. */
export const BreakerTransitioned = defineEvent(
  'router.breaker-transitioned',
  1,
  z.object({
    type: z.enum(['breaker.opened', 'breaker.half-opened', 'breaker.closed']),
    key: z.string(),
    provider: z.string(),
    model: z.string(),
    at: z.number(),
    consecutiveFailures: z.number().int().nonnegative(),
    reason: z.string(),
  }),
);
