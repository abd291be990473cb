import { z } from 'zod';
import { defineRpc } from './rpc';

export const VerifyReply = z.object({
  ok: z.boolean(),
  count: z.number().int().nonnegative(),
  headHash: z.string().nullable(),
  firstBrokenPosition: z.number().int().nullable(),
});
export type VerifyReply = z.infer<typeof VerifyReply>;

export const AuditVerify = defineRpc('auditor', 'verify', 1, z.object({}).loose(), VerifyReply);

/**
 * Replay from the event store: events of one type in store order, or only the newest one of each
 * stream (`latestPerStream`), which is how services rebuild state such as breakers on start.
 */
export const ReplayRequest = z.object({
  type: z.string().min(1),
  latestPerStream: z.boolean().optional(),
  afterPosition: z.number().int().nonnegative().optional(),
  limit: z.number().int().positive().max(10_000).optional(),
});
export const StoredEventView = z.object({
  position: z.number().int(),
  id: z.string(),
  streamId: z.string(),
  type: z.string(),
  version: z.number().int(),
  occurredAt: z.string(),
  correlationId: z.string(),
  payload: z.unknown(),
});
export const ReplayReply = z.object({ events: z.array(StoredEventView) });
export type ReplayReply = z.infer<typeof ReplayReply>;

export const AuditReplay = defineRpc('auditor', 'replay', 1, ReplayRequest, ReplayReply);

/** The ledger's state: how far the auditor is behind the stream, what it parked, what its completeness check found. */
export const AuditStatusReply = z.object({
  stream: z.string(),
  /** The stream's last sequence and the highest sequence up to which every message is stored or parked. */
  streamLastSeq: z.number().int().nonnegative(),
  checkpointSeq: z.number().int().nonnegative(),
  /** Messages not yet delivered plus delivered and not yet acknowledged. */
  lag: z.number().int().nonnegative(),
  parked: z.number().int().nonnegative(),
  gaps: z.object({ checks: z.number().int().nonnegative(), healed: z.number().int().nonnegative(), missing: z.number().int().nonnegative(), lastCheckAt: z.string().nullable() }),
  stats: z.object({ stored: z.number(), duplicates: z.number(), parkedEvents: z.number(), failedBatches: z.number(), eventRetries: z.number() }),
});
export type AuditStatusReply = z.infer<typeof AuditStatusReply>;
export const AuditStatus = defineRpc('auditor', 'status', 1, z.object({}).loose(), AuditStatusReply);

/** One parked message: where it came from, why, and its original bytes (as text, cut for listing). */
export const ParkedMessageView = z.object({
  parkedSeq: z.number().int().positive(),
  consumer: z.string(),
  subject: z.string(),
  streamSeq: z.number().int().nonnegative(),
  reason: z.string(),
  parkedAt: z.string(),
  bytes: z.number().int().nonnegative(),
  data: z.string(),
});
export type ParkedMessageView = z.infer<typeof ParkedMessageView>;
export const AuditParkedList = defineRpc(
  'auditor',
  'parked-list',
  1,
    /** A page of parked messages after `afterSeq` (cut to 2 KiB each), or the one at `parkedSeq` whole. */
  z.object({ afterSeq: z.number().int().nonnegative().optional(), limit: z.number().int().positive().max(500).optional(), parkedSeq: z.number().int().positive().optional() }),
  z.object({ parked: z.array(ParkedMessageView), total: z.number().int().nonnegative() }),
);

/**
 * Re-submits a parked message: as it was (the cause was fixed elsewhere), or replaced by `events`
 * (the operator's fixed envelopes). Stored events leave the dead-letter stream.
 */
export const AuditResubmit = defineRpc(
  'auditor',
  'resubmit',
  1,
  z.object({ parkedSeq: z.number().int().positive(), events: z.array(z.unknown()).min(1).max(500).optional() }),
  z.union([
    z.object({ ok: z.literal(true), stored: z.number().int().nonnegative(), duplicates: z.number().int().nonnegative() }),
    z.object({ ok: z.literal(false), error: z.object({ status: z.number().int(), code: z.string(), type: z.string(), message: z.string() }) }),
  ]),
);
