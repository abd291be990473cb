import type { ShapingConfig } from '@cp/shaping/domain';
import type { ClassifierConfig } from '../routing/classifier-config';
import type { ModelSpec, ProviderTimeouts, Wire } from './registry.schema';

/** One model of one provider, as route chains and decisions name it. */
export interface ModelRef {
  provider: string;
  model: string;
}

/** A provider ready to call: effective base URL (real or simulator), key and timeouts resolved. */
export interface ResolvedProvider {
  id: string;
  wire: Wire;
  /** Where requests go: the real base URL with a key, else the simulator. */
  baseUrl: string;
  /** The real public base URL from the registry file. */
  configuredBaseUrl: string;
  apiKeyEnv: string;
  /**
   * The key read from `apiKeyEnv`. Non-enumerable: JSON.stringify, loggers and object spread do
   * not see it. Use `redactRegistry` for anything that leaves the process.
   */
  readonly apiKey?: string;
  simulated: boolean;
  timeouts: ProviderTimeouts;
  models: ModelSpec[];
}

/** Which route `auto` takes for each verdict. */
export interface RouteDefaults {
  simple: string;
  complex: string;
  vision: string;
}

/** The validated, resolved registry. */
export interface ProviderRegistry {
  version: 1;
  providers: ResolvedProvider[];
  /** Route name -> ordered fallback chain. */
  routes: Record<string, ModelRef[]>;
  defaults: RouteDefaults;
  classifier: ClassifierConfig;
  /** Request shaping; absent in hand-built registries, which then use the defaults. */
  shaping?: ShapingConfig;
}

export function formatModelRef(ref: ModelRef): string {
  return `${ref.provider}/${ref.model}`;
}

/** Splits at the first slash: the provider id never contains one, a model id may. */
export function parseModelRef(text: string): ModelRef | undefined {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) return undefined;
  return { provider: text.slice(0, slash), model: text.slice(slash + 1) };
}
