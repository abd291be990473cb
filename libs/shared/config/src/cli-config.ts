import { z } from 'zod';

/** Where `cpctl` finds the gateway, its key, and the audit checkpoints with the key to check them. */
export const CliConfigSchema = z.object({
  CP_GATEWAY_URL: z.url().default('http://127.0.0.1:8080'),
  CP_API_KEY: z.string().optional(),
  /** The auditor's Ed25519 public key (PEM or base64 SPKI DER), to check signed checkpoints. */
  CP_AUDIT_PUBLIC_KEY: z.string().optional(),
  /** Where the auditor writes signed checkpoints; when set, `cpctl audit verify` compares the store with the newest. */
  CP_AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
});
