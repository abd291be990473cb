import type { RegistryIssue } from '../errors/domain-errors';
import type { RegistryFile } from './registry.schema';
import { parseModelRef } from './registry.types';

function duplicates(values: string[]): number[] {
  const seen = new Set<string>();
  return values.flatMap((value, index) => {
    if (seen.has(value)) return [index];
    seen.add(value);
    return [];
  });
}

function checkUniqueIds(file: RegistryFile): RegistryIssue[] {
  const providerIssues = duplicates(file.providers.map((p) => p.id)).map((i) => ({ path: `providers[${i}].id`, message: `duplicate provider id "${file.providers[i].id}"` }));
  const modelIssues = file.providers.flatMap((provider, p) =>
    duplicates(provider.models.map((m) => m.id)).map((m) => ({ path: `providers[${p}].models[${m}].id`, message: `duplicate model id "${provider.models[m].id}"` })),
  );
  return [...providerIssues, ...modelIssues];
}

function checkRouteRefs(file: RegistryFile): RegistryIssue[] {
  const visionRoute = file.defaults.vision;
  return Object.entries(file.routes).flatMap(([name, chain]) =>
    chain.flatMap((text, index): RegistryIssue[] => {
      const path = `routes.${name}[${index}]`;
      const ref = parseModelRef(text);
      const provider = ref && file.providers.find((p) => p.id === ref.provider);
      if (!ref || !provider) return [{ path, message: `unknown provider in "${text}"` }];
      const model = provider.models.find((m) => m.id === ref.model);
      if (!model) return [{ path, message: `provider "${ref.provider}" declares no model "${ref.model}"` }];
      if (name === visionRoute && !model.capabilities.vision) {
        return [{ path, message: `"${text}" is in the vision route but does not declare capabilities.vision` }];
      }
      return [];
    }),
  );
}

function checkDefaults(file: RegistryFile): RegistryIssue[] {
  return (['simple', 'complex', 'vision'] as const)
    .filter((verdict) => !Object.hasOwn(file.routes, file.defaults[verdict]))
    .map((verdict) => ({ path: `defaults.${verdict}`, message: `unknown route "${file.defaults[verdict]}"` }));
}

/** Cross-field rules the schema cannot express; each issue names the path it is about. */
export function checkRegistry(file: RegistryFile): RegistryIssue[] {
  return [...checkUniqueIds(file), ...checkDefaults(file), ...checkRouteRefs(file)];
}
