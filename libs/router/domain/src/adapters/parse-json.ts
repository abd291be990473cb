import { exceedsDepth, upstreamText } from '@cp/shared/contracts';
import type { z } from 'zod';
import { formatIssuePath } from '../errors/issue-path';
import { ProviderResponseError } from '../errors/domain-errors';

/**
 * The deepest a provider payload may nest (a chat reply needs about 8). Unknown fields are kept and
 * passed on, so a deeper one would reach the serialiser that answers the client, which recurses.
 */
export const MAX_WIRE_DEPTH = 64;

/** How much of a body that is not JSON the error quotes (redacted first, see `upstreamText`). */
const EXCERPT_CHARS = 80;

/** JSON.parse that throws `ProviderResponseError` instead of a SyntaxError, quoting a short redacted excerpt. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderResponseError(`${what} is not valid JSON: ${upstreamText(text, EXCERPT_CHARS)}`);
  }
}

/**
 * Whether a parsed payload can be a provider's error object (`{"error": {...}}`): the cheap test that
 * stream translators make on every event before the error schema's parse, which on an ordinary chunk
 * would fail, and a failed zod parse builds its issues (about a third of a chunk's translation).
 */
export function mayBeErrorPayload(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const error = (json as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && !Array.isArray(error);
}

/** Validates a provider payload; the error names the first wrong paths, never the payload itself. */
export function parseWire<S extends z.ZodType>(schema: S, json: unknown, what: string): z.infer<S> {
  if (exceedsDepth(json, MAX_WIRE_DEPTH)) throw new ProviderResponseError(`${what} nests deeper than ${MAX_WIRE_DEPTH} levels`);
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
  throw new ProviderResponseError(`${what} does not match the wire schema: ${issues.join('; ')}`);
}
