import { z } from 'zod';

/** The auditor's settings: signed checkpoints (key, directory, cadence), full-verification rate, ingest pull interval. */
export const AuditConfigSchema = z.object({
  /** Ed25519 private key, PEM (PKCS#8) or base64 of its DER. Without it no checkpoint is signed. A secret: never logged. */
  CP_AUDIT_SIGNING_KEY: z.string().optional(),
  /** Where signed checkpoints are written: outside the events table, on the auditor's own disk. */
  CP_AUDIT_CHECKPOINT_DIR: z.string().min(1).default('.run/audit-checkpoints'),
  /** How often the auditor verifies new events and signs a checkpoint when the chain grew. */
  CP_AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(200).default(60_000),
  /** Checkpoints kept in the directory (older ones are removed). */
  CP_AUDIT_CHECKPOINT_KEEP: z.coerce.number().int().min(1).default(100),
  /** The log's name: the first line of every checkpoint and the signature's key name. */
  CP_AUDIT_ORIGIN: z.string().regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').default('agent-control-plane/audit'),
  /** The least time between two full verifications (the whole chain from genesis); sooner is refused. */
  CP_AUDIT_FULL_VERIFY_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** How often the ingestor fetches the events that wait (one wake-up per interval, not per event). */
  CP_AUDIT_PULL_INTERVAL_MS: z.coerce.number().int().min(10).max(5_000).default(100),
});
export type AuditConfig = z.infer<typeof AuditConfigSchema>;
