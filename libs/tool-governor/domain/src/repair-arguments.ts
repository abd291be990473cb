import type { CompiledToolPolicy } from './compiled-policy';
import type { RepairClass } from './policy.schema';
import { fillRequiredDefaults, matchEnumCase, parseStringifiedJson, renameParameters, repairJsonText } from './repair-classes';
import { isRecord, type SchemaNode } from './schema-walk';
import { violationsOf, type ValidatorCache } from './validator-cache';

/** What the check of one call's arguments found. `arguments` is the text to send on. */
export type ArgumentsVerdict =
  | { kind: 'ok'; arguments: string }
  | { kind: 'repaired'; arguments: string; classes: RepairClass[] }
  | { kind: 'invalid'; violations: string[] };

/** The arguments are checked as a JSON object when a tool declares no usable schema. */
const ANY_OBJECT: SchemaNode = { type: 'object' };

/**
 * Checks one tool call's arguments against the tool's JSON Schema (ajv, compiled once per schema)
 * and, when they fail, applies the repair classes the policy has on, in a fixed order, each on what
 * the previous left: invalid JSON, parameter names, stringified JSON, extra fields, types, missing
 * defaults, enum case. Valid arguments come back as the very text the model sent. A call that
 * still fails is `invalid` with the validator's violations: it is never sent on with guessed values.
 */
export function checkArguments(tool: string, schema: Record<string, unknown> | undefined, text: string, policy: CompiledToolPolicy, cache: ValidatorCache): ArgumentsVerdict {
  const root = schema ?? ANY_OBJECT;
  const validators = cache.validatorsFor(root);
  const check = validators.check;
  const on = policy.repairClasses;
  const classes: RepairClass[] = [];
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    if (!on.has('invalid_json')) return { kind: 'invalid', violations: ['(root): the arguments are not valid JSON'] };
    try {
      value = repairJsonText(text);
      classes.push('invalid_json');
    } catch {
      return { kind: 'invalid', violations: ['(root): the arguments are not valid JSON and could not be repaired'] };
    }
  }
  // Arguments sent as a JSON string of the object (double-encoded).
  if (typeof value === 'string' && on.has('stringified_json')) {
    try {
      const inner: unknown = JSON.parse(value);
      if (isRecord(inner)) {
        value = inner;
        classes.push('stringified_json');
      }
    } catch {
      // left for the check below
    }
  }
  if (!isRecord(value)) return { kind: 'invalid', violations: ['(root): the arguments must be a JSON object'] };
  if (!check || check(value)) return classes.length === 0 ? { kind: 'ok', arguments: text } : { kind: 'repaired', arguments: JSON.stringify(value), classes };

  const steps: [RepairClass, () => void][] = [
    ['parameter_names', () => renameParameters(value, root, policy.aliasesFor(tool), policy.policy.repair.maxEditDistance)],
    ['stringified_json', () => parseStringifiedJson(value, root)],
    ['extra_fields', () => void validators.strip()?.(value)],
    ['type_coercion', () => void validators.coerce()?.(value)],
    ['missing_defaults', () => fillRequiredDefaults(value, root)],
    ['enum_case', () => matchEnumCase(value, root)],
  ];
  for (const [cls, apply] of steps) {
    if (!on.has(cls)) continue;
    const before = JSON.stringify(value);
    apply();
    if (JSON.stringify(value) !== before && !classes.includes(cls)) classes.push(cls);
    if (check(value)) return { kind: 'repaired', arguments: JSON.stringify(value), classes };
  }
  return { kind: 'invalid', violations: violationsOf(check.errors) };
}
