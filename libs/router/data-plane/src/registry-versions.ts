import { createHash } from 'node:crypto';
import { AuditReplay, processSecrets, RegistryPublished } from '@cp/shared/contracts';
import { processEnvironment } from '@cp/shared/config';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { parseProviderRegistry, type ProviderRegistry } from '@cp/router/domain';
import type { ProviderPlaneConfig } from './registry-loader';

/** A validated registry and the text it came from. */
export interface RegistryVersion {
  version: string;
  yaml: string;
  registry: ProviderRegistry;
}

/** A short content hash: the same text is the same version on every process. */
export function registryVersion(yaml: string): string {
  return createHash('sha256').update(yaml).digest('hex').slice(0, 16);
}

/** Validates registry text as every holder of the registry does; throws the error that names what is wrong. */
export function validateRegistry(yaml: string, config: ProviderPlaneConfig): RegistryVersion {
  if (yaml.trim() === '') throw new Error('the registry file is empty');
  const registry = parseProviderRegistry(yaml, processEnvironment(), config.CP_PROVIDER_SIM_URL.replace(/\/$/, ''));
  // Keys named by any apiKeyEnv, whatever the variable is called: redacted by every sink from now on.
  processSecrets.add(registry.providers.map((p) => p.apiKey));
  return { version: registryVersion(yaml), yaml, registry };
}

/** The newest registry the router published, from the store (asked of the auditor), validated here; undefined when there is none or it fails. */
export async function lastPublishedRegistry(rt: ServiceRuntime, config: ProviderPlaneConfig, timeoutMs = 3000): Promise<RegistryVersion | undefined> {
  try {
    const { events } = await rt.bus.request(AuditReplay, { type: RegistryPublished.type, latestPerStream: true }, timeoutMs);
    const newest = events.at(-1);
    const payload = newest && RegistryPublished.schema.safeParse(newest.payload);
    return payload?.success ? validateRegistry(payload.data.yaml, config) : undefined;
  } catch {
    return undefined;
  }
}
