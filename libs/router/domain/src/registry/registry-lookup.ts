import type { ModelSpec } from './registry.schema';
import type { ModelRef, ProviderRegistry, ResolvedProvider } from './registry.types';
import { parseModelRef } from './registry.types';

export function findProvider(registry: ProviderRegistry, providerId: string): ResolvedProvider | undefined {
  return registry.providers.find((p) => p.id === providerId);
}

export function findModel(registry: ProviderRegistry, ref: ModelRef): ModelSpec | undefined {
  return findProvider(registry, ref.provider)?.models.find((m) => m.id === ref.model);
}

/**
 * Resolves what a client wrote in `model`: `provider/model` when that pair exists, otherwise a bare
 * model id, taking the first provider in file order that declares it.
 */
export function resolveModelName(registry: ProviderRegistry, name: string): ModelRef | undefined {
  const qualified = parseModelRef(name);
  if (qualified && findModel(registry, qualified)) return qualified;
  const provider = registry.providers.find((p) => p.models.some((m) => m.id === name));
  return provider ? { provider: provider.id, model: name } : undefined;
}
