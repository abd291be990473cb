import type { FunctionTool } from '@cp/shared/contracts';
import { MAX_REF_DEPTH, simplifyToolForWire } from './simplify-schema';

const tool = (parameters: Record<string, unknown>): FunctionTool => ({ type: 'function', function: { name: 't', parameters } });
const refused = /"(\$ref|\$defs|definitions|additionalProperties|\$schema)"/;

describe('simplifyToolForWire', () => {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { where: { $ref: '#/$defs/Place' }, additionalProperties: { type: 'string' } },
    additionalProperties: false,
    $defs: { Place: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false } },
  };

  it('Given a Gemini wire, refs are inlined and refused keys dropped (a parameter named like a keyword stays)', () => {
    const out = simplifyToolForWire(tool(schema), 'gemini', new Map());
    expect(JSON.stringify(out.tool.function.parameters)).not.toMatch(/"(\$ref|\$defs|\$schema)"/);
    expect(out.tool.function.parameters).toEqual({ type: 'object', properties: { where: { type: 'object', properties: { city: { type: 'string' } } }, additionalProperties: { type: 'string' } } });
    expect(out.dropped).toEqual(['$defs', '$ref', '$schema', 'additionalProperties']);
  });

  it('Given OpenAI or Anthropic, the tool passes unchanged', () => {
    const t = tool(schema);
    expect(simplifyToolForWire(t, 'openai', new Map()).tool).toBe(t);
    expect(simplifyToolForWire(t, 'anthropic', new Map()).tool).toBe(t);
  });

  it('Given a schema without refused keys, Gemini gets it as it is', () => {
    const t = tool({ type: 'object', properties: { a: { type: 'string' } } });
    expect(simplifyToolForWire(t, 'gemini', new Map())).toEqual({ tool: t, dropped: [] });
  });

  it('Given a recursive ref, inlining stops at the depth bound', () => {
    const recursive = { type: 'object', properties: { node: { $ref: '#/definitions/Node' } }, definitions: { Node: { type: 'object', properties: { child: { $ref: '#/definitions/Node' } } } } };
    const out = simplifyToolForWire(tool(recursive), 'gemini', new Map());
    const text = JSON.stringify(out.tool.function.parameters);
    expect(text).not.toMatch(refused);
    expect(text.split('"child"').length - 1).toBe(MAX_REF_DEPTH);
  });

  it('Given an unresolvable ref, it becomes a plain object', () => {
    const out = simplifyToolForWire(tool({ type: 'object', properties: { x: { $ref: 'https://example.com/s.json' } } }), 'gemini', new Map());
    expect(out.tool.function.parameters).toEqual({ type: 'object', properties: { x: { type: 'object' } } });
  });

  it('caches per distinct schema', () => {
    const cache = new Map();
    simplifyToolForWire(tool(schema), 'gemini', cache);
    simplifyToolForWire(tool(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>), 'gemini', cache);
    expect(cache.size).toBe(1);
  });
});
