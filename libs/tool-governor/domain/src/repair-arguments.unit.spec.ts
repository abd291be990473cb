import { CompiledToolPolicy } from './compiled-policy';
import { ToolPolicySchema, type RepairClass } from './policy.schema';
import { checkArguments } from './repair-arguments';
import { FIXTURE_ALIASES, FIXTURE_TOOLS, REPAIR_FIXTURES } from './testing/repair-fixtures';
import { ValidatorCache } from './validator-cache';

const policy = new CompiledToolPolicy(ToolPolicySchema.parse({ version: 1, aliases: FIXTURE_ALIASES }));

describe('checkArguments', () => {
  const cache = new ValidatorCache();

  describe.each(['invalid_json', 'parameter_names', 'extra_fields', 'type_coercion', 'stringified_json', 'missing_defaults', 'enum_case'] as RepairClass[])('class %s', (cls) => {
    const cases = REPAIR_FIXTURES.filter((f) => f.cls === cls);
    it('has at least five fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(5));
    it.each(cases.map((f) => [f.sent, f] as const))('Given %s, it repairs or refuses as the fixture says', (_sent, f) => {
      const verdict = checkArguments(f.tool, FIXTURE_TOOLS[f.tool], f.sent, policy, cache);
      if (f.expected === 'invalid') {
        expect(verdict.kind).toBe('invalid');
        return;
      }
      expect(verdict.kind).toBe('repaired');
      if (verdict.kind !== 'repaired') return;
      expect(JSON.parse(verdict.arguments)).toEqual(f.expected);
      expect(verdict.classes).toContain(f.cls);
    });
  });

  it('Given valid arguments, it returns the very text the model sent', () => {
    const text = '{ "path":"/x" }';
    expect(checkArguments('read_file', FIXTURE_TOOLS.read_file, text, policy, cache)).toEqual({ kind: 'ok', arguments: text });
  });

  it('Given a class switched off, it does not apply it and names the violation', () => {
    const off = new CompiledToolPolicy(ToolPolicySchema.parse({ version: 1, repair: { classes: ['invalid_json'] } }));
    const verdict = checkArguments('read_file', FIXTURE_TOOLS.read_file, '{"path": "/f", "max_bytes": "512"}', off, new ValidatorCache());
    expect(verdict).toEqual({ kind: 'invalid', violations: ['/max_bytes: must be integer'] });
  });

  it('Given an unrepairable call, it never guesses: a missing required parameter without a default stays invalid', () => {
    const verdict = checkArguments('read_file', FIXTURE_TOOLS.read_file, '{"encoding": "utf8"}', policy, cache);
    expect(verdict).toEqual({ kind: 'invalid', violations: ["(root): must have required property 'path'"] });
  });

  it('Given two equally close names, it renames neither', () => {
    const schema = { type: 'object', properties: { abcd: { type: 'string' }, abce: { type: 'string' } }, required: ['abcd'], additionalProperties: false };
    expect(checkArguments('t', schema, '{"abcf": "x"}', policy, cache).kind).toBe('invalid');
  });

  it('compiles a schema once, however many calls use it', () => {
    const fresh = new ValidatorCache();
    for (let i = 0; i < 5; i++) checkArguments('read_file', { ...FIXTURE_TOOLS.read_file }, '{"path":"/a"}', policy, fresh);
    expect(fresh.size).toBe(1);
  });
});
