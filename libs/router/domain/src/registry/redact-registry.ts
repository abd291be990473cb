import type { ModelSpec, ProviderTimeouts, Wire } from './registry.schema';
import type { ModelRef, ProviderRegistry, ResolvedProvider, RouteDefaults } from './registry.types';
import type { ClassifierConfig } from '../routing/classifier-config';

/** A provider as it may be logged or returned over HTTP: no key, only whether one is configured. */
export interface PublicProvider {
  id: string;
  wire: Wire;
  baseUrl: string;
  configuredBaseUrl: string;
  apiKeyEnv: string;
  keyConfigured: boolean;
  simulated: boolean;
  timeouts: ProviderTimeouts;
  models: ModelSpec[];
}

export interface PublicRegistry {
  version: 1;
  providers: PublicProvider[];
  routes: Record<string, ModelRef[]>;
  defaults: RouteDefaults;
  classifier: ClassifierConfig;
}

/** Copies a provider field by field, so a key can never ride along, whatever else is attached. */
export function redactProvider(provider: ResolvedProvider): PublicProvider {
  return {
    id: provider.id,
    wire: provider.wire,
    baseUrl: provider.baseUrl,
    configuredBaseUrl: provider.configuredBaseUrl,
    apiKeyEnv: provider.apiKeyEnv,
    keyConfigured: provider.apiKey !== undefined,
    simulated: provider.simulated,
    timeouts: { ...provider.timeouts },
    models: provider.models.map((m) => ({ ...m, capabilities: { ...m.capabilities }, pricePerMTok: { ...m.pricePerMTok } })),
  };
}

/** The registry without secrets, for logs, `/v1/models`, admin routes and events. */
export function redactRegistry(registry: ProviderRegistry): PublicRegistry {
  return {
    version: registry.version,
    providers: registry.providers.map(redactProvider),
    routes: Object.fromEntries(Object.entries(registry.routes).map(([name, chain]) => [name, chain.map((ref) => ({ ...ref }))])),
    defaults: { ...registry.defaults },
    classifier: registry.classifier,
  };
}
