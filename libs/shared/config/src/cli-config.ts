import { z } from 'zod';

/** Where `cpctl` finds the gateway and its key. */
export const CliConfigSchema = z.object({
  CP_GATEWAY_URL: z.url().default('http://127.0.0.1:8080'),
  CP_API_KEY: z.string().optional(),
});
