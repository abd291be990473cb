import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { InvalidRegistryError, type RegistryIssue } from '../errors/domain-errors';
import { formatIssuePath } from '../errors/issue-path';
import { checkRegistry } from './registry-checks';
import { DEFAULT_TIMEOUTS, type ProviderSpec, type ProviderTimeouts, RegistryFileSchema } from './registry.schema';
import { type ModelRef, parseModelRef, type ProviderRegistry, type ResolvedProvider } from './registry.types';

function zodIssues(error: z.ZodError): RegistryIssue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));
}

function readYaml(yamlText: string): unknown {
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) {
    // First line of the message only: the code frame below it would quote the file.
    throw new InvalidRegistryError(doc.errors.map((e) => ({ path: `(yaml line ${e.linePos?.[0]?.line ?? '?'})`, message: e.message.split('\n')[0] })));
  }
  return doc.toJS();
}

/** The simulator serves each provider under its id; OpenAI-style base URLs carry the /v1 segment. */
export function simulatorBaseUrl(simBaseUrl: string, provider: Pick<ProviderSpec, 'id' | 'wire'>): string {
  const root = `${simBaseUrl.replace(/\/+$/, '')}/${provider.id}`;
  return provider.wire === 'openai' ? `${root}/v1` : root;
}

function resolveProvider(spec: ProviderSpec, defaults: ProviderTimeouts, env: Record<string, string | undefined>, simBaseUrl: string): ResolvedProvider {
  const key = env[spec.apiKeyEnv];
  const hasKey = key !== undefined && key.trim() !== '';
  const provider: ResolvedProvider = {
    id: spec.id,
    wire: spec.wire,
    baseUrl: hasKey ? spec.baseUrl.replace(/\/+$/, '') : simulatorBaseUrl(simBaseUrl, spec),
    configuredBaseUrl: spec.baseUrl,
    apiKeyEnv: spec.apiKeyEnv,
    simulated: !hasKey,
    timeouts: { ...defaults, ...spec.timeouts },
    models: spec.models,
  };
  // Non-enumerable so that serialising or spreading a provider can never carry the secret.
  if (hasKey) Object.defineProperty(provider, 'apiKey', { value: key.trim(), enumerable: false, writable: false });
  return provider;
}

function toRefs(chain: string[]): ModelRef[] {
  return chain.flatMap((text) => {
    const ref = parseModelRef(text);
    return ref ? [ref] : [];
  });
}

/**
 * Parses and validates `config/providers.yaml` (its text; the caller reads the file). Keys come
 * only from `env[apiKeyEnv]`; a provider without one is served by the simulator at
 * `${simBaseUrl}/${id}` (+`/v1` for wire openai) and marked `simulated`.
 * @throws InvalidRegistryError naming every bad path.
 */
export function parseProviderRegistry(yamlText: string, env: Record<string, string | undefined>, simBaseUrl: string): ProviderRegistry {
  const parsed = RegistryFileSchema.safeParse(readYaml(yamlText));
  if (!parsed.success) throw new InvalidRegistryError(zodIssues(parsed.error));
  const file = parsed.data;
  const issues = checkRegistry(file);
  if (issues.length > 0) throw new InvalidRegistryError(issues);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...file.timeouts };
  return {
    version: file.version,
    providers: file.providers.map((spec) => resolveProvider(spec, timeouts, env, simBaseUrl)),
    routes: Object.fromEntries(Object.entries(file.routes).map(([name, chain]) => [name, toRefs(chain)])),
    defaults: file.defaults,
    classifier: file.classifier,
    shaping: file.shaping,
  };
}
