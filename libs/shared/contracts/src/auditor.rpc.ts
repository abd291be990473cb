import { z } from 'zod';
import { defineRpc } from './rpc';



/**
 * Replay from the event store: events of one type in store order, or only the newest one of each
 * stream (`latestPerStream`), which is how services rebuild state such as breakers on start.
 * `payloadPath` (store order only) keeps the events whose payload has a value at that path and sends
 * that value as the payload: a reader of one part of large events (tool statistics read
 * `trail.tools`) is sent only that part.
 */
export const ReplayRequest = z.object({
  type: z.string().min(1),
  latestPerStream: z.boolean().optional(),
  afterPosition: z.number().int().nonnegative().optional(),
  limit: z.number().int().positive().max(10_000).optional(),
  payloadPath: z.array(z.string().min(1).max(64)).min(1).max(8).optional(),
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
/** `more`: the page was cut (at `limit`, or at the reply's byte budget); ask again after the last position. */
export const ReplayReply = z.object({ events: z.array(StoredEventView), more: z.boolean().optional() });
export type ReplayReply = z.infer<typeof ReplayReply>;

export const AuditReplay = defineRpc('auditor', 'replay', 1, ReplayRequest, ReplayReply);

/** What is wrong with the chain, named (see `ChainProblemKind` in the event store). */
export const ChainProblemView = z.object({
  kind: z.enum(['event_edited', 'link_broken', 'events_missing', 'tail_deleted', 'chain_rewritten', 'checkpoint_invalid']),
  position: z.number().int(),
  message: z.string(),
});
export type ChainProblemView = z.infer<typeof ChainProblemView>;

/** A checkpoint as a verification used it: position, head hash (hex), when signed, and whether the store agrees. */
export const CheckpointView = z.object({ size: z.number().int().nonnegative(), hash: z.string(), time: z.string().optional(), matches: z.boolean() });

export const VerifyReply = z.object({
  ok: z.boolean(),
  /** The verified length of the chain (its last verified position). */
  count: z.number().int().nonnegative(),
  headHash: z.string().nullable(),
  firstBrokenPosition: z.number().int().nullable(),
  /** `incremental`: from the last verified position on; `full`: the whole chain from genesis. */
  mode: z.enum(['incremental', 'full']).optional(),
  /** Events re-hashed by this verification. */
  checked: z.number().int().nonnegative().optional(),
  problem: ChainProblemView.optional(),
  /** The newest signed checkpoint the store was compared with, when there is one. */
  checkpoint: CheckpointView.optional(),
  /** A full verification asked too soon after the last one: nothing was checked. */
  rateLimited: z.object({ retryAfterMs: z.number().int().nonnegative() }).optional(),
});
export type VerifyReply = z.infer<typeof VerifyReply>;

export const VerifyRequest = z.object({
  full: z.boolean().optional(),
  /** A checkpoint the caller trusts (it checked its signature): the store must agree with it. */
  checkpoint: z.object({ size: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});
export const AuditVerify = defineRpc('auditor', 'verify', 1, VerifyRequest, VerifyReply);

/** One link of the chain with its whole record: a line of `cpctl audit export`. */
export const ExportedEvent = z.object({
  position: z.number().int().positive(),
  id: z.string(),
  type: z.string(),
  streamId: z.string(),
  occurredAt: z.string(),
  payload: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
  version: z.number().int(),
  correlationId: z.string(),
  causationId: z.string().nullable(),
});
export type ExportedEvent = z.infer<typeof ExportedEvent>;

/** A page of the chain after a position (cut to stay well under the bus's max payload), and the newest signed checkpoint note. */
export const AuditExport = defineRpc(
  'auditor',
  'export',
  1,
  z.object({ afterPosition: z.number().int().nonnegative(), limit: z.number().int().positive().max(1000).optional() }),
  z.object({ events: z.array(ExportedEvent), headPosition: z.number().int().nonnegative(), checkpointNote: z.string().nullable() }),
);

/** The ledger event (`gateway.request-completed`) of one request, looked up by its stream: `cpctl explain`. */
export const AuditRequestEvent = defineRpc('auditor', 'request-event', 1, z.object({ requestId: z.string().min(1).max(200) }), z.object({ event: StoredEventView.nullable() }));

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
