import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { loadConfig } from '@cp/shared/config';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { BreakerBook, type ProviderRegistry } from '@cp/router/domain';
import { lastPublishedRegistry, validateRegistry } from './registry-versions';
import { z } from 'zod';
import { parseHostMap } from './host-map';
import { DEFAULT_MAX_REPLY_BYTES } from './http-provider-client';

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
  /** Gateway: how long a replica waits (in the background) for the router's half-open probe grant before probing on its own. */
  CP_PROBE_GRANT_TIMEOUT_MS: z.coerce.number().int().positive().default(150),
  /** Router: how long a probe grant holds when its holder reports no outcome (a crashed replica, no request to probe with). */
  CP_PROBE_GRANT_LEASE_MS: z.coerce.number().int().positive().default(10_000),
  /** Gateway: the largest provider reply (or one SSE event) read; a larger one fails that call as malformed, at once. */
  CP_PROVIDER_MAX_REPLY_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_MAX_REPLY_BYTES),
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
  /** The registry file's absolute path, and the version (content hash) being served. */
  file: string;
  version: string;
}

/**
 * Reads and validates the registry named by `CP_PROVIDERS_FILE` (relative paths from the working
 * directory). Throws `ConfigError`, `RegistryFileError` or `InvalidRegistryError`, each with a
 * message that names what is wrong, so a process stops at boot instead of serving a half registry.
 */
export function loadProviderPlane(now: () => number = Date.now): ProviderPlane {
  const config = loadConfig(ProviderPlaneConfigSchema);
  const file = registryFile(config);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RegistryFileError(file, (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err)));
  }
  const { registry, version } = validateRegistry(text, config);
  return { config, registry, breakers: newBreakers(config, now), file, version };
}

/**
 * The plane a process serves with: its registry file when that is valid; otherwise the last version
 * the router published (from the store), with an error log naming what is wrong with the file, so a
 * restart while the file is broken keeps the last good registry. Neither: the file's error.
 */
export async function loadServingPlane(rt: ServiceRuntime, now: () => number = Date.now): Promise<ProviderPlane> {
  try {
    return loadProviderPlane(now);
  } catch (err) {
    const config = loadConfig(ProviderPlaneConfigSchema);
    const last = await lastPublishedRegistry(rt, config);
    if (!last) throw err;
    rt.logger.error({ file: registryFile(config), err: err instanceof Error ? err.message : String(err), version: last.version }, 'the provider registry file is not usable; serving the last published version');
    return { config, registry: last.registry, breakers: newBreakers(config, now), file: registryFile(config), version: last.version };
  }
}

export function registryFile(config: ProviderPlaneConfig): string {
  return isAbsolute(config.CP_PROVIDERS_FILE) ? config.CP_PROVIDERS_FILE : join(process.cwd(), config.CP_PROVIDERS_FILE);
}

function newBreakers(config: ProviderPlaneConfig, now: () => number): BreakerBook {
  return new BreakerBook({ failureThreshold: config.CP_BREAKER_FAILURE_THRESHOLD, resetMs: config.CP_BREAKER_RESET_MS }, now);
}
