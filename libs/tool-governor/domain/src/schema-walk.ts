/** A JSON Schema node as the repairs read it. */
export type SchemaNode = Record<string, unknown>;

const MAX_DEPTH = 16;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The schema's type names (`type: ["string","null"]` -> both). */
export function typesOf(schema: SchemaNode): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

/** Follows a local `$ref` (`#/$defs/X`, `#/definitions/X`) against the root schema, bounded. */
export function resolveSchema(schema: unknown, root: SchemaNode, hops = 0): SchemaNode | undefined {
  if (!isRecord(schema)) return undefined;
  if (typeof schema.$ref !== 'string' || hops > 8) return schema;
  const m = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(schema.$ref);
  const defs = m ? root[m[1]!] : undefined;
  return isRecord(defs) ? resolveSchema(defs[m![2]!], root, hops + 1) : undefined;
}

/**
 * Visits every object and array value together with the schema that describes it (properties,
 * items), bounded in depth: `visit` may replace the children of `value` in place.
 */
export function walkWithSchema(value: unknown, schema: unknown, root: SchemaNode, visit: (value: unknown, schema: SchemaNode) => void, depth = 0): void {
  const node = resolveSchema(schema, root);
  if (!node || depth > MAX_DEPTH) return;
  visit(value, node);
  if (isRecord(value) && isRecord(node.properties)) {
    for (const [key, child] of Object.entries(value)) {
      const childSchema = node.properties[key];
      if (childSchema !== undefined) walkWithSchema(child, childSchema, root, visit, depth + 1);
    }
  } else if (Array.isArray(value) && node.items !== undefined && !Array.isArray(node.items)) {
    for (const item of value) walkWithSchema(item, node.items, root, visit, depth + 1);
  }
}
