import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { loadConfig, processEnvironment } from '@cp/shared/config';
import { BreakerBook, parseProviderRegistry, type ProviderRegistry } from '@cp/router/domain';
import { z } from 'zod';
import { parseHostMap } from './host-map';

/**
 * What every process that holds the provider registry reads from the environment: the router (the
 * registry's owner: catalog, matrix, probes) and the gateway (the data plane that calls providers).
 * Both read the same variables so a deployment configures the registry once.
 */
export const ProviderPlaneConfigSchema = z.object({
  CP_PROVIDER_SIM_URL: z.url().default('http://127.0.0.1:9900'),
  CP_PROVIDERS_FILE: z.string().default('config/providers.yaml'),
  CP_BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().positive().default(3),
  CP_BREAKER_RESET_MS: z.coerce.number().int().positive().default(300_000),
  /** Provider hosts pinned to addresses or blocked (`host=ip,host=none`); see `parseHostMap`. */
  CP_PROVIDER_RESOLVE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const map = parseHostMap(v);
      if (typeof map === 'string') {
        ctx.addIssue({ code: 'custom', message: map });
        return z.NEVER;
      }
      return map;
    }),
});
export type ProviderPlaneConfig = z.infer<typeof ProviderPlaneConfigSchema>;

/** The registry file could not be read at all (missing, unreadable); a file that is read but invalid is `InvalidRegistryError`. */
export class RegistryFileError extends Error {
  readonly code = 'ROUTER.REGISTRY_UNREADABLE';
  constructor(readonly file: string, cause: string) {
    super(`cannot read the provider registry ${file}: ${cause}`);
    this.name = 'RegistryFileError';
  }
}

/** The validated provider plane: its config, the registry from `CP_PROVIDERS_FILE`, and a fresh breaker book. */
export interface ProviderPlane {
  config: ProviderPlaneConfig;
  registry: ProviderRegistry;
  breakers: BreakerBook;
}

/**
 * Reads and validates the registry named by `CP_PROVIDERS_FILE` (relative paths from the working
 * directory). Throws `ConfigError`, `RegistryFileError` or `InvalidRegistryError`, each with a
 * message that names what is wrong, so a process stops at boot instead of serving a half registry.
 */
export function loadProviderPlane(now: () => number = Date.now): ProviderPlane {
  const config = loadConfig(ProviderPlaneConfigSchema);
  const file = isAbsolute(config.CP_PROVIDERS_FILE) ? config.CP_PROVIDERS_FILE : join(process.cwd(), config.CP_PROVIDERS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RegistryFileError(file, (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err)));
  }
  const registry = parseProviderRegistry(text, processEnvironment(), config.CP_PROVIDER_SIM_URL.replace(/\/$/, ''));
  const breakers = new BreakerBook({ failureThreshold: config.CP_BREAKER_FAILURE_THRESHOLD, resetMs: config.CP_BREAKER_RESET_MS }, now);
  return { config, registry, breakers };
}
