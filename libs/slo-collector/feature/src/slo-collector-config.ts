import { z } from 'zod';

const ratio = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** The SLO collector's settings (docs/configuration.md, docs/slo.md). */
export const SloCollectorConfigSchema = z.object({
  /** Every window, slot and grace runs this many times faster: 1 in production; tests use e.g. 360 (an hour in 10 s). */
  CP_SLO_TIME_SCALE: z.coerce.number().positive().max(1_000_000).default(1),
  CP_SLO_TARGET_LATENCY_P95_MS: ms(30_000),
  CP_SLO_TARGET_TIMEOUT_RATE: ratio(0.03),
  CP_SLO_TARGET_TOOL_SUCCESS_RATE: ratio(0.95),
  CP_SLO_TARGET_DEGRADATION_RATE: ratio(0.05),
  CP_SLO_TARGET_AUTO_RECOVERY_RATE: ratio(0.9),
  /** How often alerts are evaluated (real time, not scaled). */
  CP_SLO_EVAL_INTERVAL_MS: ms(15_000),
  /** How often the projection is saved with its stream position (then the messages it includes are acknowledged). */
  CP_SLO_SAVE_INTERVAL_MS: ms(5_000),
  /** How often the collector pulls the events that arrived since its last pull (real time): one wake-up per interval, not per event. */
  CP_SLO_PULL_INTERVAL_MS: ms(1_000),
  CP_SLO_ALERT_MIN_EVENTS: z.coerce.number().int().min(1).default(10),
  CP_SLO_ALERT_RAISE_AFTER: z.coerce.number().int().min(1).max(100).default(2),
  CP_SLO_ALERT_CLEAR_AFTER: z.coerce.number().int().min(1).max(100).default(3),
  /** How long an open breaker may wait for its automatic recovery before it counts as not recovered (scaled). */
  CP_SLO_RECOVERY_GRACE_MS: ms(30 * 60_000),
  /** Where alerts are POSTed as JSON (optional); retried with backoff. */
  CP_ALERT_WEBHOOK_URL: z.url().optional(),
  /** The job registry of the heartbeat monitor (YAML); a missing default file means no jobs. */
  CP_JOBS_FILE: z.string().min(1).optional(),
  /** How often jobs are checked for staleness (real time). */
  CP_HEARTBEAT_CHECK_MS: ms(5_000),
});
export type SloCollectorConfig = z.infer<typeof SloCollectorConfigSchema>;
