import { z } from 'zod';

export const BreakerConfigSchema = z.strictObject({
  /** Consecutive counted failures that open the breaker. */
  failureThreshold: z.int().positive().default(3),
  /** How long an open breaker refuses before letting one probe through. */
  resetMs: z.int().positive().default(300_000),
  /**
   * A probe not resolved within this time (its replica crashed, its result was lost) no longer
   * blocks: the next request becomes the probe.
   */
  probeLeaseMs: z.int().positive().default(120_000),
});
export type BreakerConfig = z.infer<typeof BreakerConfigSchema>;

export const DEFAULT_BREAKER_CONFIG: BreakerConfig = BreakerConfigSchema.parse({});
