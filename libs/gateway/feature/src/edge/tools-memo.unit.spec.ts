import Fastify from 'fastify';
import { ChatCompletionRequest, stringifyRequestBody } from '@cp/shared/contracts';
import { ToolsMemo, type ToolsMemoLimits } from './tools-memo';

// Fastify's own JSON parser (prototype-poisoning refused), as the edge uses it.
const parseDefault = Fastify().getDefaultJsonParser('error', 'error');
const parse = (text: string): unknown => {
  let out: unknown;
  let error: Error | null = null;
  parseDefault(undefined as never, text, (err, value) => {
    error = err;
    out = value;
  });
  if (error) throw error;
  return out;
};

const tool = (name: string, description = 'x'.repeat(200)) => ({
  type: 'function',
  function: { name, description, parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'], additionalProperties: false } },
});
const TOOLS = [tool('read_file'), tool('write_file'), tool('list_dir')];
const body = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'qwen/qwen-turbo', messages: [{ role: 'user', content: 'hi' }], tools: TOOLS, ...extra });

/** Feeds a text the way the edge does: lookup, and on a miss a whole parse and learn. */
function see(memo: ToolsMemo, text: string) {
  const hit = memo.lookup(text);
  if (!hit) memo.learn(text, parse(text));
  return hit;
}

function learnt(text: string, limits?: Partial<ToolsMemoLimits>): ToolsMemo {
  const memo = new ToolsMemo(parse, 64, { entries: 256, chars: 1 << 20, minBodyChars: 256, ...limits });
  see(memo, text);
  see(memo, text);
  return memo;
}

describe('ToolsMemo', () => {
  it('Given a tools text seen twice, When the same body comes again, Then only the rest is parsed and the tools are the validated, frozen value', () => {
    const memo = learnt(body());
    const hit = memo.lookup(body({ temperature: 0.5 }));
    expect(hit).toBeDefined();
    expect(hit!.body.tools).toBe(memo.sentinel);
    expect(hit!.body.temperature).toBe(0.5);
    expect(hit!.tools).toEqual(ChatCompletionRequest.parse(JSON.parse(body())).tools);
    expect(Object.isFrozen(hit!.tools) && Object.isFrozen(hit!.tools[0].function.parameters)).toBe(true);
    expect(memo.hits).toBe(1);
  });

  it('Given a text seen once, Then nothing is learnt yet (one-off tool sets cost only a scan)', () => {
    const memo = new ToolsMemo(parse, 64, { entries: 8, chars: 1 << 20, minBodyChars: 256 });
    see(memo, body());
    expect(memo.size.entries).toBe(0);
    expect(memo.lookup(body())).toBeUndefined();
    see(memo, body());
    expect(memo.size.entries).toBe(1);
  });

  it('Given the known text under a nested "tools" key and other top-level tools, Then the body is parsed whole', () => {
    const memo = learnt(body());
    const nested = JSON.stringify({ model: 'm/m', messages: [{ role: 'user', content: 'hi', meta: { tools: TOOLS } }], tools: [tool('other')] });
    expect(memo.lookup(nested)).toBeUndefined();
    const onlyNested = JSON.stringify({ model: 'm/m', messages: [{ role: 'user', content: 'hi' }], extra: { tools: TOOLS } });
    expect(memo.lookup(onlyNested)).toBeUndefined();
  });

  it('Given two top-level "tools" keys, Then the memo answers only when the known text is the last one (what JSON.parse keeps)', () => {
    const memo = learnt(body());
    const toolsText = JSON.stringify(TOOLS);
    const knownFirst = `{"model":"m/m","messages":[{"role":"user","content":"hi"}],"tools":${toolsText},"tools":[]}`;
    expect(memo.lookup(knownFirst)).toBeUndefined();
    const knownLast = `{"model":"m/m","messages":[{"role":"user","content":"hi"}],"tools":[],"tools":${toolsText}}`;
    expect(memo.lookup(knownLast)?.tools).toHaveLength(3);
  });

  it('Given the text inside a string (escaped quotes), Then it is not taken for a key', () => {
    const memo = learnt(body());
    const inString = JSON.stringify({ model: 'm/m', messages: [{ role: 'user', content: `"tools": ${JSON.stringify(TOOLS)}` }] });
    expect(memo.lookup(inString)).toBeUndefined();
  });

  it('Given tools that fail validation or nest too deep, Then they are never learnt and the edge reports them as before', () => {
    const invalid = JSON.stringify({ model: 'm/m', messages: [{ role: 'user', content: 'x'.repeat(300) }], tools: [{ type: 'not-a-function', function: { name: 'x' } }] });
    expect(learnt(invalid).size.entries).toBe(0);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 70; i++) deep = { d: deep };
    const tooDeep = body({ tools: [{ ...tool('deep'), function: { ...tool('deep').function, parameters: { type: 'object', deep } } }] });
    expect(learnt(tooDeep).size.entries).toBe(0);
  });

  it('Given a known body that also carries __proto__, Then the memo does not answer and the whole parse refuses it', () => {
    const memo = learnt(body());
    const poisoned = body().replace('"model"', '"__proto__":{"x":1},"model"');
    expect(memo.lookup(poisoned)).toBeUndefined();
    expect(() => parse(poisoned)).toThrow();
  });

  it('Given more distinct tool sets than the bound, Then the least recently used go first', () => {
    const memo = new ToolsMemo(parse, 64, { entries: 2, chars: 1 << 20, minBodyChars: 256 });
    const sets = ['a', 'b', 'c'].map((n) => JSON.stringify({ model: 'm/m', messages: [{ role: 'user', content: 'hi' }], tools: [tool(`tool_${n}`)] }));
    for (const s of sets) {
      see(memo, s);
      see(memo, s);
    }
    expect(memo.size.entries).toBe(2);
    expect(memo.lookup(sets[0])).toBeUndefined();
    expect(memo.lookup(sets[2])).toBeDefined();
  });

  it('Given a memo hit, When the request is serialised for a provider, Then it parses to the same value as the request parsed whole', () => {
    const memo = learnt(body());
    const hit = memo.lookup(body())!;
    const request = { ...hit.body, tools: hit.tools, model: 'qwen-turbo' };
    const whole = { ...ChatCompletionRequest.parse(JSON.parse(body())), model: 'qwen-turbo' };
    expect(JSON.parse(stringifyRequestBody(request))).toEqual(JSON.parse(JSON.stringify(whole)));
  });
});
