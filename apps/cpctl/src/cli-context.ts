import type { CliConfigSchema } from '@cp/shared/config';
import type { z } from 'zod';

/** What a cpctl command needs: its config, an authenticated call to the gateway, and output. */
export interface CliContext {
  config: z.infer<typeof CliConfigSchema>;
  /** GET (or POST with a body) against the gateway with the key; a non-2xx answer throws with its body. */
  call(path: string, post?: unknown): Promise<unknown>;
  /** Pretty JSON on stdout. */
  print(value: unknown): void;
  write(text: string): void;
}
