import { z } from 'zod';
import { defineRpc } from './rpc';
import { AlertRaised, HeartbeatReceived, SloName, SloWindowValue } from './slo.events';

export const SLO_WINDOWS = ['5m', '1h', '6h', '24h', '30d'] as const;
export const SloWindowName = z.enum(SLO_WINDOWS);

export const SloTargetView = z.object({ comparator: z.enum(['<=', '>=']), target: z.number(), unit: z.enum(['ms', 'ratio']), errorBudget: z.number() });

export const HourlyPoint = z.object({ hourStart: z.number(), value: z.number().nullable(), events: z.number().int().nonnegative() });

export const SloSeriesView = z.object({
  windows: z.record(SloWindowName, SloWindowValue),
  /** What is left of the 30-day error budget: 1 = untouched, 0 = spent, below 0 = overspent; null without data. */
  budgetLeft: z.number().nullable(),
  hourly: z.array(HourlyPoint),
});
export type SloSeriesView = z.infer<typeof SloSeriesView>;

export const SloReport = z.object({
  generatedAt: z.number(),
  /** 1 in production; a test runs windows this many times faster (`CP_SLO_TIME_SCALE`). */
  timeScale: z.number(),
  windowMs: z.record(SloWindowName, z.number()),
  hourMs: z.number(),
  targets: z.record(SloName, SloTargetView),
  overall: z.record(SloName, SloSeriesView),
  routes: z.record(z.string(), z.record(SloName, SloSeriesView)),
  activeAlerts: z.array(AlertRaised.schema),
});
export type SloReport = z.infer<typeof SloReport>;

const RpcErrorBody = z.object({ status: z.number().int(), code: z.string(), type: z.string(), message: z.string() });

/** The SLO report: every SLO over every window, per route and overall, with `hours` of hourly history (default 24). */
export const SloReportRpc = defineRpc('slo-collector', 'report', 1, z.object({ hours: z.number().int().positive().max(720).optional(), route: z.string().max(200).optional() }), SloReport);

/** What the dashboard shows besides the SLOs: recent failovers, repairs and alerts, spend per provider and model. */
export const SloActivity = z.object({
  failovers: z.array(z.object({ requestId: z.string(), at: z.number(), route: z.string(), servedBy: z.string().nullable(), failed: z.array(z.string()), outcome: z.string() })),
  repairs: z.array(z.object({ requestId: z.string(), at: z.number(), detail: z.string() })),
  alerts: z.array(z.object({ alertId: z.string(), at: z.number(), state: z.enum(['raised', 'resolved']), summary: z.string() })),
  spend: z.array(z.object({ provider: z.string(), model: z.string(), last24hUsd: z.number(), last30dUsd: z.number(), calls24h: z.number().int() })),
  breakers: z.array(z.object({ key: z.string(), state: z.string(), at: z.number(), misconfigured: z.boolean() })),
});
export type SloActivity = z.infer<typeof SloActivity>;
export const SloActivityRpc = defineRpc('slo-collector', 'activity', 1, z.object({}).loose(), SloActivity);

/** A job as the monitor sees it. */
export const JobView = z.object({
  name: z.string(),
  schedule: z.string(),
  timezone: z.string(),
  graceMs: z.number(),
  status: z.enum(['ok', 'running', 'stale', 'failing', 'waiting']),
  lastStatus: z.enum(['start', 'success', 'failure']).nullable(),
  lastSeenAt: z.number().nullable(),
  lastSuccessAt: z.number().nullable(),
  lastMessage: z.string().nullable(),
  nextExpectedAt: z.number(),
  consecutiveFailures: z.number().int().nonnegative(),
  lastDriftMs: z.number().nullable(),
});
export type JobView = z.infer<typeof JobView>;

export const HeartbeatsRpc = defineRpc('slo-collector', 'heartbeats', 1, z.object({}).loose(), z.object({ jobs: z.array(JobView) }));

export const HeartbeatRequest = z.object({ job: z.string().min(1).max(100), status: HeartbeatReceived.schema.shape.status, message: z.string().max(2000).optional() });
/** A job reports in; an unknown job is a 404-shaped error. */
export const HeartbeatRpc = defineRpc('slo-collector', 'heartbeat', 1, HeartbeatRequest, z.union([z.object({ ok: z.literal(true), job: JobView }), z.object({ ok: z.literal(false), error: RpcErrorBody })]));
