import { z } from 'zod';
import { defineEvent } from './envelope';
import { defineRpc, RpcError } from './rpc';

/**
 * tool-governor published a version of the tool policy (the YAML text as validated): every gateway
 * validates it again and applies it without a restart; the newest one in the store is the last good
 * policy for a gateway whose own copy of the file is unusable.
 */
export const ToolPolicyPublished = defineEvent('tool-governor.policy-published', 1, z.object({ version: z.string(), yaml: z.string().max(1024 * 1024), file: z.string() }));

/** The policy file changed and was refused (invalid or empty): the last good version stays in force. */
export const ToolPolicyRejected = defineEvent('tool-governor.policy-rejected', 1, z.object({ file: z.string(), reason: z.string(), keptVersion: z.string().nullable() }));

export const LocalToolRequest = z.object({
  tool: z.enum(['search_kb', 'data_clean']),
  /** The call's arguments, already checked against the tool's schema by the pipeline. */
  arguments: z.record(z.string(), z.unknown()),
  requestId: z.string().max(200).optional(),
  /** How long the run may take, in milliseconds (the pipeline's deadline for it). */
  timeoutMs: z.number().int().positive().max(60_000),
});
export type LocalToolRequest = z.infer<typeof LocalToolRequest>;

/** A run that happened: `isError` when the tool itself failed (its content says why, for the model). */
export const LocalToolReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), isError: z.boolean(), content: z.string() }),
  z.object({ ok: z.literal(false), error: RpcError }),
]);
export type LocalToolReply = z.infer<typeof LocalToolReply>;

/** Runs a local tool (`search_kb`, `data_clean`) for the completion pipeline. */
export const ToolGovernorExecute = defineRpc('tool-governor', 'execute', 1, LocalToolRequest, LocalToolReply);

export const ToolStatsRow = z.object({
  tool: z.string(),
  calls: z.number().int().nonnegative(),
  repaired: z.number().int().nonnegative(),
  repairs: z.record(z.string(), z.number().int().nonnegative()),
  blocked: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  selfCorrected: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  localRuns: z.object({ ok: z.number().int().nonnegative(), failed: z.number().int().nonnegative() }),
});
export type ToolStatsRow = z.infer<typeof ToolStatsRow>;

export const ToolStatsReply = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** The policy version tool-governor serves. */
    policyVersion: z.string(),
    /** Requests whose trail had tool entries, since the projection started (store replay included). */
    requests: z.number().int().nonnegative(),
    tools: z.array(ToolStatsRow),
  }),
  z.object({ ok: z.literal(false), error: RpcError }),
]);
export type ToolStatsReply = z.infer<typeof ToolStatsReply>;

/** Per tool: calls, repairs per class, blocked, self-corrections, local runs (from the ledger's request events). */
export const ToolGovernorStats = defineRpc('tool-governor', 'stats', 1, z.object({}).loose(), ToolStatsReply);
