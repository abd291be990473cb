import { isRecord } from './guards';

/** JSON-Schema keys Gemini's function declarations refuse (the real API answers 400 "Unknown name"). */
const REFUSED = new Set(['$ref', '$defs', 'definitions', 'additionalProperties', '$schema']);
const MAX_DEPTH = 64;

function findRefused(node: unknown, path: string, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const hit = findRefused(node[i], `${path}[${i}]`, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  if (!isRecord(node)) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (REFUSED.has(key)) return `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`;
    // Under `properties` the keys are parameter names, not schema keywords.
    const hit = key === 'properties' && isRecord(value) ? Object.entries(value).map(([name, v]) => findRefused(v, `${path}.properties[${JSON.stringify(name)}].value`, depth + 1)).find(Boolean) : findRefused(value, `${path}.${key}`, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * What Gemini says about function declarations whose parameter schema uses keys it does not take
 * (`$ref`, `$defs`, `additionalProperties`, `$schema`), or undefined when they are all acceptable.
 */
export function checkFunctionDeclarations(tools: unknown): string | undefined {
  if (!Array.isArray(tools)) return undefined;
  for (let t = 0; t < tools.length; t++) {
    const decls = isRecord(tools[t]) ? tools[t].functionDeclarations : undefined;
    if (!Array.isArray(decls)) continue;
    for (let d = 0; d < decls.length; d++) {
      const decl = decls[d];
      if (!isRecord(decl)) continue;
      for (const field of ['parameters', 'parametersJsonSchema'] as const) {
        const hit = findRefused(decl[field], `tools[${t}].function_declarations[${d}].${field === 'parameters' ? 'parameters' : 'parameters_json_schema'}`, 0);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}
