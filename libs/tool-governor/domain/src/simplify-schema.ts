import type { FunctionTool } from '@cp/shared/contracts';

/** Keys Gemini's function declarations refuse; they are inlined (`$ref`) or dropped. */
const GEMINI_REFUSED = ['$ref', '$defs', 'definitions', 'additionalProperties', '$schema'] as const;
/** How deep `$ref`s are inlined; a deeper (or recursive) reference becomes a plain `{ type: object }`. */
export const MAX_REF_DEPTH = 6;
/** How deep a schema is walked at all: schemas are client input. */
const MAX_SCHEMA_DEPTH = 32;

export interface SimplifiedTool {
  tool: FunctionTool;
  /** The refused keys that were removed or inlined (empty when the tool went unchanged). */
  dropped: string[];
}

type Json = unknown;

/**
 * A tool as a wire accepts it. OpenAI and Anthropic take JSON Schema as OpenAI tools declare it,
 * so their tools pass unchanged. Gemini's function declarations refuse `$ref`/`$defs`/
 * `definitions`, `additionalProperties` and `$schema`: local references are inlined (up to
 * `MAX_REF_DEPTH` levels), the rest is dropped. A cheap text check first: a schema without any of
 * those keys is returned as it is.
 */
export function simplifyToolForWire(tool: FunctionTool, wire: string, cache: Map<string, SimplifiedTool>): SimplifiedTool {
  const params = tool.function.parameters;
  if (wire !== 'gemini' || !params) return { tool, dropped: [] };
  const text = JSON.stringify(params);
  if (!GEMINI_REFUSED.some((k) => text.includes(`"${k}"`))) return { tool, dropped: [] };
  const key = `${tool.function.name}\u0000${text}`;
  const cached = cache.get(key);
  if (cached) return { tool: { ...tool, function: { ...tool.function, parameters: cached.tool.function.parameters } }, dropped: cached.dropped };
  const dropped = new Set<string>();
  const defs = { ...asRecord(params.definitions), ...asRecord(params.$defs) };
  const simplified = strip(params, defs, 0, 0, dropped) as Record<string, unknown>;
  const result = { tool: { ...tool, function: { ...tool.function, parameters: simplified } }, dropped: [...dropped].sort() };
  if (cache.size > 1000) cache.clear();
  cache.set(key, result);
  return result;
}

function strip(node: Json, defs: Record<string, unknown>, refDepth: number, depth: number, dropped: Set<string>): Json {
  if (depth > MAX_SCHEMA_DEPTH) return {};
  if (Array.isArray(node)) return node.map((n) => strip(n, defs, refDepth, depth + 1, dropped));
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Record<string, unknown>;
  if (typeof obj.$ref === 'string') {
    dropped.add('$ref');
    const target = resolveRef(obj.$ref, defs);
    const { $ref: _ref, ...siblings } = obj;
    if (target === undefined || refDepth >= MAX_REF_DEPTH) return strip({ type: 'object', ...siblings }, defs, refDepth, depth + 1, dropped);
    return strip({ ...(target as Record<string, unknown>), ...siblings }, defs, refDepth + 1, depth + 1, dropped);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if ((GEMINI_REFUSED as readonly string[]).includes(key)) {
      dropped.add(key);
      continue;
    }
    // Property names are data, not keywords: a parameter called `additionalProperties` is kept.
    out[key] = key === 'properties' && isRecord(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v, defs, refDepth, depth + 1, dropped)])) : strip(value, defs, refDepth, depth + 1, dropped);
  }
  return out;
}

function resolveRef(ref: string, defs: Record<string, unknown>): unknown {
  const m = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref);
  const target = m ? defs[decodeURIComponent(m[1]!.replace(/~1/g, '/').replace(/~0/g, '~'))] : undefined;
  return isRecord(target) ? target : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}
