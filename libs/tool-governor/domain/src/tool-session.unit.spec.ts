import type { ChatCompletionRequest, ToolCall } from '@cp/shared/contracts';
import { ToolPolicySchema } from './policy.schema';
import { FIXTURE_TOOLS } from './testing/repair-fixtures';
import { ToolGovernor } from './tool-governor';

const call = (name: string, args: string, id = `call_${name}`): ToolCall => ({ id, type: 'function', function: { name, arguments: args } });
const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'go' }], tools: [{ type: 'function', function: { name: 'read_file', parameters: FIXTURE_TOOLS.read_file } }] };
const governor = (p: Record<string, unknown> = {}) => new ToolGovernor(ToolPolicySchema.parse({ version: 1, ...p }));

describe('ToolSession', () => {
  it('Given a request without tools, there is no session', () => {
    expect(governor().begin({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).toBeUndefined();
  });

  it('Given a repairable call, it delivers the repaired arguments and records before and after', () => {
    const s = governor().begin(request)!;
    const d = s.decide({ content: null, toolCalls: [call('read_file', '{"path": "/a",}')] });
    expect(d).toEqual({ kind: 'deliver', toolCalls: [call('read_file', '{"path":"/a"}')] });
    expect(s.trail).toContainEqual({ tool: 'read_file', action: 'repaired', classes: ['invalid_json'], before: '{"path": "/a",}', after: '{"path":"/a"}', round: 1 });
  });

  it('Given a hallucinated tool, it asks for a correction naming the tools that exist, then records the self-correction', () => {
    const s = governor().begin(request)!;
    const d = s.decide({ content: null, toolCalls: [call('delete_everything', '{}')] });
    expect(d.kind).toBe('correct');
    if (d.kind !== 'correct') return;
    expect(JSON.parse(d.messages[1]!.content as string)).toMatchObject({ error: 'unknown_tool', available_tools: ['read_file'] });
    expect(s.decide({ content: null, toolCalls: [call('read_file', '{"path": "/x"}')] }).kind).toBe('deliver');
    expect(s.trail.map((e) => e.action)).toEqual(['called', 'blocked', 'called']);
  });

  it('Given an invalid call, the correction carries the violations and the schema; still invalid afterwards is an error naming the tool', () => {
    const s = governor().begin(request)!;
    const d = s.decide({ content: null, toolCalls: [call('read_file', '{"encoding": "utf8"}')] });
    if (d.kind !== 'correct') throw new Error(d.kind);
    const note = JSON.parse(d.messages[1]!.content as string) as { violations: string[]; schema: unknown };
    expect(note.violations).toEqual(["(root): must have required property 'path'"]);
    expect(note.schema).toEqual(FIXTURE_TOOLS.read_file);
    const again = s.decide({ content: null, toolCalls: [call('read_file', '{}')] });
    expect(again).toMatchObject({ kind: 'fail', error: { status: 502, code: 'tool_call_invalid', message: expect.stringContaining("read_file: (root): must have required property 'path'") } });
  });

  it('Given selfCorrectionRounds 0, an invalid call fails at once', () => {
    const s = governor({ repair: { selfCorrectionRounds: 0 } }).begin(request)!;
    expect(s.decide({ content: null, toolCalls: [call('read_file', '{}')] }).kind).toBe('fail');
  });

  it('Given a local tool call alone, it is run; mixed with a client call, the client gets only its own', () => {
    const g = governor({ localTools: { offer: ['data_clean'], maxRounds: 1 } });
    const s = g.begin(request)!;
    expect(s.decide({ content: null, toolCalls: [call('data_clean', '{"text": "a"}')] })).toMatchObject({ kind: 'local', calls: [{ tool: 'data_clean' }] });
    expect(s.decide({ content: null, toolCalls: [call('data_clean', '{"text": "a"}')] })).toMatchObject({ kind: 'fail', error: { code: 'local_tool_rounds_exceeded' } });
    const mixed = g.begin(request)!.decide({ content: null, toolCalls: [call('data_clean', '{"text": "a"}'), call('read_file', '{"path": "/a"}')] });
    expect(mixed).toEqual({ kind: 'deliver', toolCalls: [call('read_file', '{"path": "/a"}')] });
  });

  it('simplifies the tools for Gemini once per wire and lists what it dropped', () => {
    const s = governor().begin(request)!;
    const req = s.request();
    const gemini = s.forWire(req, 'gemini');
    expect(JSON.stringify(gemini.tools)).not.toContain('additionalProperties');
    expect(s.forWire(req, 'openai')).toBe(req);
    s.forWire(req, 'gemini');
    expect(s.trail.filter((e) => e.action === 'simplified')).toEqual([{ tool: 'read_file', action: 'simplified', wire: 'gemini', dropped: ['additionalProperties'] }]);
  });
});
