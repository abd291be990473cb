import { isRecord, type JsonRecord } from './guards';

/** Deeper schemas are answered with `null` below this level: the sim recurses on client input. */
const MAX_DEPTH = 8;

/**
 * A value that satisfies a (simple) JSON Schema, as a provider in structured-output mode must
 * answer: every declared property gets a value of its type (`string`: the echo text, `number` and
 * `integer`: 1, `boolean`: true, `array`: one item, `object`: its own properties), an `enum` its
 * first value, a `const` itself. Lets a test tell that a schema reached the provider, not only the
 * JSON mode.
 */
export function sampleFromSchema(schema: unknown, text: string, depth = 0): unknown {
  if (!isRecord(schema) || depth > MAX_DEPTH) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (typeof type === 'string' ? type.toLowerCase() : isRecord(schema.properties) ? 'object' : undefined) {
    case 'string':
      return text;
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [sampleFromSchema(schema.items, text, depth + 1)];
    case 'object': {
      const properties: JsonRecord = isRecord(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, sampleFromSchema(sub, text, depth + 1)]));
    }
    default:
      return null;
  }
}
