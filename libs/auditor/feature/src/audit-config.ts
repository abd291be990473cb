import { HEAP_GROWING_PERCENT_MAX } from '@cp/shared/config';
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
  /**
   * How far V8 lets the old generation grow past what the last full GC kept before the next one, in
   * percent (V8's --heap-growing-percent, set by apps/auditor/src/heap-growing.ts; 0 = V8's own
   * factor, up to 4x). What the auditor holds lives for tens of milliseconds, so its old generation
   * grows mostly with garbage between full GCs: the bulk of its peak under load (docs/performance.md).
   */
  CP_AUDIT_HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(HEAP_GROWING_PERCENT_MAX).default(30),
});
export type AuditConfig = z.infer<typeof AuditConfigSchema>;
