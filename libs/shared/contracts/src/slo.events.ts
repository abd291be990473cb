import { z } from 'zod';
import { defineEvent } from './envelope';

/** The five SLOs of the control plane (docs/slo.md defines each). */
export const SLO_NAMES = ['latency_p95', 'timeout_rate', 'tool_success_rate', 'degradation_rate', 'auto_recovery_rate'] as const;
export const SloName = z.enum(SLO_NAMES);
export type SloName = z.infer<typeof SloName>;

/** `pass` / `fail` against the target; `no_data` when the window holds nothing to judge. */
export const SloVerdict = z.enum(['pass', 'fail', 'no_data']);
export type SloVerdict = z.infer<typeof SloVerdict>;

/** What fired an SLO alert: a burn-rate pair (fast: 1 h & 5 min, slow: 6 h & 30 min) or the threshold check. */
export const AlertCondition = z.object({
  kind: z.enum(['burn_fast', 'burn_slow', 'threshold']),
  /** The burn rates (or, for the threshold, the value) over the pair's long and short windows. */
  long: z.number().nullable(),
  short: z.number().nullable(),
  limit: z.number(),
});
export type AlertCondition = z.infer<typeof AlertCondition>;

const AlertSubject = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('slo'), slo: SloName, route: z.string() }),
  /** A breaker opened because the provider refused its key, billing or access: an operator must act. */
  z.object({ kind: z.literal('breaker_misconfigured'), key: z.string(), provider: z.string(), reason: z.string() }),
  /** A scheduled job went silent past its next expected run plus its grace. */
  z.object({ kind: z.literal('job_stale'), job: z.string() }),
]);

/** One alert, raised once per episode (hysteresis: see docs/slo.md); `alertId` ties the raise to its resolve. */
export const AlertRaised = defineEvent(
  'slo.alert-raised',
  1,
  z.object({ alertId: z.string(), subject: AlertSubject, severity: z.enum(['page', 'ticket']), summary: z.string(), conditions: z.array(AlertCondition), at: z.number() }),
);
export type AlertRaisedPayload = z.infer<typeof AlertRaised.schema>;

export const AlertResolved = defineEvent(
  'slo.alert-resolved',
  1,
  z.object({ alertId: z.string(), subject: AlertSubject, summary: z.string(), raisedAt: z.number(), at: z.number() }),
);
export type AlertResolvedPayload = z.infer<typeof AlertResolved.schema>;

/** One SLO over one window: the value, its verdict against the target, the bad fraction's burn rate. */
export const SloWindowValue = z.object({
  value: z.number().nullable(),
  verdict: SloVerdict,
  /** How many events the value is computed from (requests, tool calls, breaker episodes). */
  events: z.number().int().nonnegative(),
  /** Bad-event fraction divided by the error budget (1 = spending exactly the budget). */
  burnRate: z.number().nullable(),
});
export type SloWindowValue = z.infer<typeof SloWindowValue>;

/** The hourly snapshot: each SLO over the hour that just ended and over 30 days, per route and overall. */
export const SloSnapshotTaken = defineEvent(
  'slo.snapshot-taken',
  1,
  z.object({
    hourStart: z.number(),
    hourEnd: z.number(),
    timeScale: z.number(),
    overall: z.record(z.string(), SloWindowValue),
    routes: z.record(z.string(), z.record(z.string(), SloWindowValue)),
  }),
);

/** A scheduled job reported in (`POST /v1/heartbeats/{job}` or `cp.slo-collector.rpc.heartbeat.v1`). */
export const HeartbeatReceived = defineEvent(
  'slo.heartbeat-received',
  1,
  z.object({ job: z.string(), status: z.enum(['start', 'success', 'failure']), message: z.string().max(2000).optional(), at: z.number() }),
);
export type HeartbeatReceivedPayload = z.infer<typeof HeartbeatReceived.schema>;

/** A job was silent past its next expected run plus its grace. */
export const JobStale = defineEvent(
  'slo.job-stale',
  1,
  z.object({ job: z.string(), lastSeenAt: z.number().nullable(), expectedBy: z.number(), graceMs: z.number(), at: z.number() }),
);

/** A job ran away from its schedule (further than its grace from any expected run). */
export const JobDrifted = defineEvent(
  'slo.job-drifted',
  1,
  z.object({ job: z.string(), ranAt: z.number(), nearestExpected: z.number(), driftMs: z.number(), at: z.number() }),
);

/** A job failed this many times in a row (its `maxFailures`). */
export const JobFailing = defineEvent(
  'slo.job-failing',
  1,
  z.object({ job: z.string(), consecutiveFailures: z.number().int().positive(), lastMessage: z.string().optional(), at: z.number() }),
);

/** A job that was stale or failing reported success again. */
export const JobRecovered = defineEvent('slo.job-recovered', 1, z.object({ job: z.string(), was: z.enum(['stale', 'failing']), at: z.number() }));
