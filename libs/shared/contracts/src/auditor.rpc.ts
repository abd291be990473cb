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
