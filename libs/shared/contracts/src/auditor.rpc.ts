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
