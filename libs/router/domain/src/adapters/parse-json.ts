import type { z } from 'zod';
import { formatIssuePath } from '../errors/issue-path';
import { ProviderResponseError } from '../errors/domain-errors';

/** JSON.parse that throws `ProviderResponseError` instead of a SyntaxError. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderResponseError(`${what} is not valid JSON: ${text.slice(0, 80)}`);
  }
}

/** Validates a provider payload; the error names the first wrong paths, never the payload itself. */
export function parseWire<S extends z.ZodType>(schema: S, json: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
  throw new ProviderResponseError(`${what} does not match the wire schema: ${issues.join('; ')}`);
}
