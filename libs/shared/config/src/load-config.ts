import { z } from 'zod';

/** Raised at boot when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  readonly code = 'CONFIG.INVALID';
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses configuration from the environment with a schema whose keys are environment variable
 * names. The only place in the code base that reads `process.env`. The error names each bad key
 * but never echoes its value, so a secret in a malformed variable cannot leak into a log.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    picked[key] = value === '' ? undefined : value;
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', message: i.message })));
  }
  return parsed.data;
}


/** `z.coerce` for ports with a readable message. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
/** Comma-separated list. */
export const csv = () => z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** The process environment, for parsers that resolve secrets by variable name (the provider registry). */
export function processEnvironment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/**
 * The secrets the environment holds, as far as they are known before the provider registry is read:
 * the gateway's bearer keys (`CP_GATEWAY_KEYS`) and every variable named `*_API_KEY` (how the
 * registry's `apiKeyEnv` names provider keys; a registry that names others adds them when loaded).
 * Every process registers them at boot so that nothing it writes can carry them (see `processSecrets`).
 */
export function secretsFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (name === 'CP_GATEWAY_KEYS') values.push(...value.split(',').map((key) => key.trim()));
    else if (name.endsWith('_API_KEY')) values.push(value);
  }
  return values.filter((value) => value !== '');
}
