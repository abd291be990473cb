import { jsonrepair } from 'jsonrepair';
import { isRecord, typesOf, walkWithSchema, type SchemaNode } from './schema-walk';

/**
 * The schema-guided repairs that are not ajv options (ajv does extra fields and coercion). Each
 * one changes `value` in place where it can and never invents a value: names are matched to the
 * schema's, strings parsed where the schema wants structure, defaults taken from the schema.
 */

/** Code fences, Python literals, single quotes, trailing commas, unquoted keys, truncation: through `jsonrepair`. */
export function repairJsonText(text: string): unknown {
  const unfenced = text.trim().replace(/^```[a-zA-Z]*\s*\n?/, '').replace(/\n?```\s*$/, '');
  return JSON.parse(jsonrepair(unfenced));
}

/** `filePath`, `file-path`, `FILE_PATH` -> `filepath`: how names compare across case and separators. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

/** Levenshtein distance, giving up (returns max+1) as soon as it must exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The schema's parameter a wrong name stands for: an alias, then the same name up to case and separators, then the one unique closest name. */
export function matchParameter(name: string, known: readonly string[], aliases: Record<string, string>, maxDistance: number): string | undefined {
  const alias = aliases[name];
  if (alias !== undefined && known.includes(alias)) return alias;
  const norm = normaliseName(name);
  const same = known.filter((k) => normaliseName(k) === norm);
  if (same.length === 1) return same[0];
  if (maxDistance === 0 || norm.length < 3) return undefined;
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  let tie = false;
  for (const k of known) {
    const d = editDistance(norm, normaliseName(k), maxDistance);
    if (d < bestDistance) [best, bestDistance, tie] = [k, d, false];
    else if (d === bestDistance) tie = true;
  }
  return bestDistance <= maxDistance && !tie ? best : undefined;
}

/** Class 2: keys the schema does not know, renamed to the parameter they stand for (aliases apply at the top level). */
export function renameParameters(value: unknown, root: SchemaNode, aliases: Record<string, string>, maxDistance: number): void {
  let top = true;
  walkWithSchema(value, root, root, (v, schema) => {
    const own = top ? aliases : {};
    top = false;
    if (!isRecord(v) || !isRecord(schema.properties)) return;
    const known = Object.keys(schema.properties);
    for (const key of Object.keys(v)) {
      if (known.includes(key)) continue;
      const target = matchParameter(key, known, own, maxDistance);
      if (target === undefined || target in v) continue;
      v[target] = v[key];
      delete v[key];
    }
  });
}

/** Class 5: a string where the schema wants an object or an array, parsed when it is that JSON. */
export function parseStringifiedJson(value: unknown, root: SchemaNode): void {
  walkWithSchema(value, root, root, (v, schema) => {
    const replace = (get: () => unknown, set: (x: unknown) => void, childSchema: unknown) => {
      const current = get();
      if (typeof current !== 'string' || !isRecord(childSchema)) return;
      const types = typesOf(childSchema);
      const wantsObject = types.includes('object');
      const wantsArray = types.includes('array');
      if (!wantsObject && !wantsArray) return;
      try {
        const parsed: unknown = JSON.parse(current);
        if ((wantsObject && isRecord(parsed)) || (wantsArray && Array.isArray(parsed))) set(parsed);
      } catch {
        // not JSON: left for the validator to report
      }
    };
    if (isRecord(v) && isRecord(schema.properties)) {
      for (const key of Object.keys(v)) replace(() => v[key], (x) => (v[key] = x), schema.properties[key]);
    } else if (Array.isArray(v) && isRecord(schema.items)) {
      for (let i = 0; i < v.length; i++) replace(() => v[i], (x) => (v[i] = x), schema.items);
    }
  });
}

/** Class 6: required parameters that are missing, taken from the schema's `default` (never guessed). */
export function fillRequiredDefaults(value: unknown, root: SchemaNode): void {
  walkWithSchema(value, root, root, (v, schema) => {
    if (!isRecord(v) || !isRecord(schema.properties) || !Array.isArray(schema.required)) return;
    for (const name of schema.required) {
      if (typeof name !== 'string' || name in v) continue;
      const prop = schema.properties[name];
      if (isRecord(prop) && 'default' in prop) v[name] = structuredClone(prop.default);
    }
  });
}

/** Class 7: a string that matches one of the schema's enum strings except for case. */
export function matchEnumCase(value: unknown, root: SchemaNode): void {
  walkWithSchema(value, root, root, (v, schema) => {
    const fix = (current: unknown, childSchema: unknown): unknown => {
      if (typeof current !== 'string' || !isRecord(childSchema) || !Array.isArray(childSchema.enum) || childSchema.enum.includes(current)) return current;
      const matches = childSchema.enum.filter((e): e is string => typeof e === 'string' && e.toLowerCase() === current.trim().toLowerCase());
      return matches.length === 1 ? matches[0] : current;
    };
    if (isRecord(v) && isRecord(schema.properties)) {
      for (const key of Object.keys(v)) v[key] = fix(v[key], schema.properties[key]);
    } else if (Array.isArray(v) && isRecord(schema.items)) {
      for (let i = 0; i < v.length; i++) v[i] = fix(v[i], schema.items);
    }
  });
}
