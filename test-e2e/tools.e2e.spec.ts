/**
 * Tool governance through the gateway with the `openai` SDK: scripted malformed tool calls of every
 * repair class reach the client repaired, for each wire format, plain and streaming; a hallucinated
 * tool is blocked and the model corrects itself; an unrepairable call gets one self-correction
 * round (provider-sim receives the violations and the schema), else an error naming the tool; a
 * data_clean call is run through tool-governor and the client gets only the final answer; a policy
 * change applies without a restart, and with tool-governor stopped the gateway keeps enforcing it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import type { Client } from 'pg';
import { REPO_ROOT, waitFor, type Stack } from '@cp/shared/testing';
import { FIXTURE_ALIASES, FIXTURE_TOOLS, REPAIR_CLASSES, REPAIR_FIXTURES, type RepairFixture } from '@cp/tool-governor/domain';
import { ledgerEvent, simControl as sim, startE2e, type Json } from './support/e2e-kit';

type Wire = 'openai' | 'anthropic' | 'gemini';
const MODELS: Record<Wire, { model: string; instance: string }> = {
  openai: { model: 'openai/gpt-4o', instance: 'openai' },
  anthropic: { model: 'claude/claude-sonnet-4-5', instance: 'claude' },
  gemini: { model: 'gemini/gemini-2.5-pro', instance: 'gemini' },
};

const tool = (name: string): OpenAI.ChatCompletionTool => ({ type: 'function', function: { name, description: `the ${name} tool`, parameters: FIXTURE_TOOLS[name] } });
const TOOLS = Object.keys(FIXTURE_TOOLS).map(tool);

function policyYaml(extra = ''): string {
  const aliases = Object.entries(FIXTURE_ALIASES)
    .map(([t, map]) => `  '${t}':\n${Object.entries(map).map(([a, p]) => `    ${a}: ${p}`).join('\n')}`)
    .join('\n');
  return `version: 1\naliases:\n${aliases}\nlocalTools:\n  offer: [data_clean, search_kb]\n${extra}`;
}

/**
 * The arguments a wire can carry as the model sent them: OpenAI carries text (anything goes);
 * Anthropic and Gemini carry objects, so invalid JSON exists only in an Anthropic stream
 * (`input_json_delta` fragments) and a stringified whole object not at all.
 */
const MODES: Record<Wire, Partial<Record<string, boolean[]>>> = {
  openai: {},
  // Anthropic's non-streamed `input` and Gemini's `args` are JSON objects on the wire: no invalid JSON to repair there.
  anthropic: { invalid_json: [true] },
  gemini: { invalid_json: [] },
};
const classesOf = (wire: Wire) => REPAIR_CLASSES.filter((c) => MODES[wire][c]?.length !== 0);
function carries(wire: Wire, stream: boolean, f: RepairFixture): boolean {
  if (f.expected === 'invalid') return false;
  if (wire === 'openai') return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(f.sent);
  } catch {
    return wire === 'anthropic' && stream;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
}

function caseFor(wire: Wire, stream: boolean, cls: string): RepairFixture {
  const found = REPAIR_FIXTURES.find((f) => f.cls === cls && carries(wire, stream, f));
  if (!found) throw new Error(`no fixture of ${cls} for ${wire}`);
  return found;
}

/** The tool calls of a streamed answer, assembled from the chunks, and whether any text came before them. */
async function collect(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  const calls: { id: string; name: string; arguments: string }[] = [];
  let content = '';
  let finish: string | null = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? '';
    for (const d of choice.delta.tool_calls ?? []) {
      const c = (calls[d.index] ??= { id: '', name: '', arguments: '' });
      c.id += d.id ?? '';
      c.name += d.function?.name ?? '';
      c.arguments += d.function?.arguments ?? '';
    }
    finish = choice.finish_reason ?? finish;
  }
  return { calls, content, finish };
}

describe('tool governance through the gateway', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;
  const policyFile = join(mkdtempSync(join(tmpdir(), 'cp-tools-')), 'tools.yaml');

  beforeAll(async () => {
    writeFileSync(policyFile, policyYaml());
    ({ stack, client, db, stop } = await startE2e({ label: 'tools', env: { CP_TOOLS_FILE: policyFile } }));
  });

  afterEach(async () => {
    await sim(stack).reset();
  });

  afterAll(async () => {
    await stop?.();
  });

  const ask = (model: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'do it' }], tools: TOOLS, ...extra });

  describe.each(['openai', 'anthropic', 'gemini'] as Wire[])('the %s wire', (wire) => {
    const { model, instance } = MODELS[wire];

    it.each(classesOf(wire).map((c) => [c]))('repairs a call of class %s (plain and streaming where the wire carries it)', async (cls) => {
      for (const stream of MODES[wire][cls] ?? [false, true]) {
        const f = caseFor(wire, stream, cls);
        await sim(stack).script(instance, [{ toolCalls: [{ name: f.tool, arguments: f.sent }] }]);
        let args: string;
        let finish: string | null;
        if (stream) {
          const out = await collect(await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'do it' }], tools: TOOLS, stream: true }));
          expect(out.calls.map((c) => c.name)).toEqual([f.tool]);
          args = out.calls[0]!.arguments;
          finish = out.finish;
        } else {
          const res = await ask(model);
          const call = res.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
          expect(call.function.name).toBe(f.tool);
          args = call.function.arguments;
          finish = res.choices[0]!.finish_reason;
        }
        expect({ stream, args: JSON.parse(args) as unknown }).toEqual({ stream, args: f.expected });
        expect(finish).toBe('tool_calls');
      }
      if (wire === 'gemini') {
        // Gemini refuses additionalProperties in declarations: the gateway sent them simplified.
        expect(JSON.stringify((await sim(stack).stats(instance)).lastRequest!.body.tools)).not.toContain('additionalProperties');
      }
    });
  });

  it('records a repair in the trail with its class and the arguments before and after', async () => {
    await sim(stack).script('openai', [{ toolCalls: [{ name: 'read_file', arguments: '{"file_path": "/etc/hosts"}' }] }]);
    const { data, response } = await ask('openai/gpt-4o').withResponse();
    expect(data.choices[0]!.message.tool_calls).toHaveLength(1);
    const ledger = await ledgerEvent<{ trail: { tools: Json[] } }>(db, response.headers.get('x-request-id'));
    expect(ledger.trail.tools).toContainEqual({ tool: 'read_file', action: 'repaired', classes: ['parameter_names'], before: '{"file_path": "/etc/hosts"}', after: '{"path":"/etc/hosts"}', round: 1 });
  });

  it('blocks a hallucinated tool: the model is told which tools exist and corrects itself; the client never sees the unknown tool', async () => {
    await sim(stack).script('openai', [{ toolCalls: [{ name: 'delete_repo', arguments: {} }] }, { toolCalls: [{ name: 'run_command', arguments: { command: 'ls' } }] }]);
    const res = await ask('openai/gpt-4o');
    expect(res.choices[0]!.message.tool_calls!.map((c) => (c as OpenAI.ChatCompletionMessageFunctionToolCall).function.name)).toEqual(['run_command']);
    const upstream = (await sim(stack).stats('openai')).lastRequest!.body;
    const note = JSON.parse(upstream.messages.at(-1).content as string);
    expect(note).toMatchObject({ error: 'unknown_tool', tool: 'delete_repo' });
    expect(note.available_tools).toEqual(expect.arrayContaining(['read_file', 'run_command', 'create_ticket']));
  });

  it('gives an unrepairable call one self-correction round with the violations and the schema, plain and streaming', async () => {
    for (const stream of [false, true]) {
      await sim(stack).script('claude', [{ toolCalls: [{ name: 'read_file', arguments: { encoding: 'utf8' } }] }, { toolCalls: [{ name: 'read_file', arguments: { path: '/fixed' } }] }]);
      const args = stream
        ? (await collect(await client.chat.completions.create({ model: 'claude/claude-sonnet-4-5', messages: [{ role: 'user', content: 'read' }], tools: TOOLS, stream: true }))).calls[0]!.arguments
        : ((await ask('claude/claude-sonnet-4-5')).choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments;
      expect(JSON.parse(args)).toEqual({ path: '/fixed' });
      const upstream = (await sim(stack).stats('claude')).lastRequest!.body;
      const result = upstream.messages.at(-1).content.find((b: Json) => b.type === 'tool_result');
      const note = JSON.parse(typeof result.content === 'string' ? result.content : result.content[0].text);
      expect(note.violations).toEqual(["(root): must have required property 'path'"]);
      expect(note.schema).toEqual(FIXTURE_TOOLS.read_file);
    }
  });

  it('answers an OpenAI-shaped error naming the tool and the violations when the correction is invalid too', async () => {
    await sim(stack).script('openai', [{ toolCalls: [{ name: 'read_file', arguments: '{}' }] }, { toolCalls: [{ name: 'read_file', arguments: '{"encoding": "latin1"}' }] }]);
    const err = (await ask('openai/gpt-4o').catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(502);
    expect(err.code).toBe('tool_call_invalid');
    expect(err.message).toContain("read_file: (root): must have required property 'path'");
  });

  it('runs data_clean through tool-governor: the client gets the final answer only, provider-sim got the tool result', async () => {
    for (const stream of [false, true]) {
      await sim(stack).script('openai', [{ toolCalls: [{ name: 'data_clean', arguments: { text: '  a   b \n\n a b\n1,500.00 on 03/04/2024' } }] }, { content: 'The data is clean.' }]);
      if (stream) {
        const out = await collect(await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'clean it' }], tools: TOOLS, stream: true }));
        expect(out).toEqual({ calls: [], content: 'The data is clean.', finish: 'stop' });
      } else {
        const res = await ask('openai/gpt-4o');
        expect(res.choices[0]!.message.content).toBe('The data is clean.');
        expect(res.choices[0]!.message.tool_calls).toBeUndefined();
        expect(res.choices[0]!.finish_reason).toBe('stop');
      }
      const upstream = (await sim(stack).stats('openai')).lastRequest!.body;
      const result = JSON.parse(upstream.messages.at(-1).content as string);
      expect(result.text).toBe('a b\n1500 on 2024-04-03');
      expect(result.report).toMatchObject({ duplicateRowsDropped: 1, emptyRowsDropped: 1 });
      expect(upstream.tools.map((t: Json) => t.function.name)).toContain('data_clean');
    }
  });

  it('gives the client only its own calls from a turn that mixes local and client tools', async () => {
    await sim(stack).script('openai', [{ toolCalls: [{ name: 'data_clean', arguments: { text: 'x' } }, { name: 'read_file', arguments: { path: '/a' } }] }]);
    const { data, response } = await ask('openai/gpt-4o').withResponse();
    expect(data.choices[0]!.message.tool_calls!.map((c) => (c as OpenAI.ChatCompletionMessageFunctionToolCall).function.name)).toEqual(['read_file']);
    expect(await sim(stack).requests('openai')).toBe(1);
    const ledger = await ledgerEvent<{ trail: { tools: Json[] } }>(db, response.headers.get('x-request-id'));
    expect(ledger.trail.tools).toContainEqual({ tool: 'data_clean', action: 'local_dropped', reason: 'mixed_turn' });
  });

  it('answers search_kb from the knowledge base through the memory plane', async () => {
    const doc = await fetch(`${stack.gatewayUrl}/v1/kb/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Refunds', content: '# Refund policy\n\nRefunds for order RF-2291 are paid within 14 days to the original card.', source: 'kb/refunds.md' }),
    });
    expect(doc.status).toBe(201);
    await sim(stack).script('gemini', [{ toolCalls: [{ name: 'search_kb', arguments: { query: 'refund policy RF-2291' } }] }, { content: 'Within 14 days.' }]);
    const res = await ask('gemini/gemini-2.5-pro');
    expect(res.choices[0]!.message.content).toBe('Within 14 days.');
    const upstream = (await sim(stack).stats('gemini')).lastRequest!.body;
    const response = upstream.contents.flatMap((c: Json) => c.parts).find((p: Json) => p.functionResponse)?.functionResponse;
    expect(response.name).toBe('search_kb');
    const found = JSON.stringify(response.response);
    expect(found).toContain('RF-2291');
    expect(found).toContain('kb/refunds.md');
    expect(found).not.toContain('knowledge_base_unavailable');
  });

  it('serves tool statistics at /v1/tools/stats', async () => {
    const stats = await waitFor('tool stats with repairs', async () => {
      const res = await fetch(`${stack.gatewayUrl}/v1/tools/stats`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
      const body = (await res.json()) as { data: { tool: string; calls: number; repairs: Record<string, number>; blocked: number; localRuns: { ok: number } }[] };
      const readFile = body.data.find((r) => r.tool === 'read_file');
      return readFile && (readFile.repairs.parameter_names ?? 0) > 0 && body.data.some((r) => r.tool === 'delete_repo' && r.blocked > 0) ? body : undefined;
    });
    expect(stats.data.find((r) => r.tool === 'data_clean')?.localRuns.ok).toBeGreaterThanOrEqual(2);
    const cpctl = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'dist/apps/cpctl/src/main.js'), 'tools', 'stats'], { env: { PATH: process.env.PATH, CP_GATEWAY_URL: stack.gatewayUrl, CP_API_KEY: stack.apiKey } });
    expect(cpctl.stdout).toMatch(/^read_file +calls +\d+ +repaired +\d+ \(.*parameter_names=\d+/m);
  });

  it('serves tool definitions a client repeats from the gateway memo: provider-sim gets them whole, the policy still applies', async () => {
    const memo = async () => {
      const health = (await (await fetch(`${stack.gatewayUrl}/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as { services: { gateway: { toolsMemo: { hits: number; entries: number } } } };
      return health.services.gateway.toolsMemo;
    };
    const before = await memo();
    // A tool set of its own (names, descriptions), so the first two requests teach the memo and the third is served from it.
    const own = (TOOLS as OpenAI.ChatCompletionFunctionTool[]).map((t) => ({ ...t, function: { ...t.function, description: `${t.function.description} (memo)` } }));
    for (let i = 0; i < 3; i++) expect((await ask('openai/gpt-4o', { tools: own, temperature: i / 10 })).choices[0]!.message.content).toContain('do it');
    const after = await memo();
    expect(after.entries).toBeGreaterThan(before.entries);
    expect(after.hits).toBeGreaterThan(before.hits);
    const sent = (await sim(stack).stats('openai')).lastRequest!.body;
    expect(sent.temperature).toBe(0.2);
    expect(sent.tools.filter((t: Json) => !['data_clean', 'search_kb'].includes(t.function.name))).toEqual(own);
    // A wrong body around known tools is still refused with its own error.
    const bad = await ask('openai/gpt-4o', { tools: own, temperature: 7 }).catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(bad).toMatchObject({ status: 400, param: 'temperature' });
  });

  it('applies a policy change without a restart, and keeps enforcing it with tool-governor stopped', async () => {
    const forced = { tool_choice: { type: 'function' as const, function: { name: 'run_command' } } };
    await sim(stack).script('openai', [{ toolCalls: [{ name: 'run_command', arguments: { command: 'ls' } }] }]);
    expect((await ask('openai/gpt-4o', forced)).choices[0]!.message.tool_calls).toHaveLength(1);
    writeFileSync(policyFile, policyYaml('tools:\n  deny: [run_command]\n'));
    const refused = await waitFor('the new policy in force', async () => {
      // Until the new version applies, the sim's forced call (`{}` arguments) is refused as invalid (502).
      const err = await ask('openai/gpt-4o', forced).then(() => undefined, (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
      return err?.status === 400 ? err : undefined;
    });
    expect(refused.status).toBe(400);
    expect(refused.code).toBe('tool_not_allowed');
    expect(refused.param).toBe('tool_choice');
    expect(refused.message).toContain("'run_command'");

    // An invalid file is refused (naming the path) and the last good version stays in force.
    writeFileSync(policyFile, policyYaml('tools:\n  deny: [run_command]\n  alow: [x]\n'));
    const rejected = await waitFor('the policy-rejected event', async () => {
      const r = await db.query(`SELECT payload FROM events WHERE type = 'tool-governor.policy-rejected'`);
      return r.rowCount ? (r.rows[0].payload as { reason: string }) : undefined;
    });
    expect(rejected.reason).toContain('tools');
    expect(((await ask('openai/gpt-4o', forced).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>).code).toBe('tool_not_allowed');

    await stack.stopService('tool-governor');
    const again = (await ask('openai/gpt-4o', forced).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(again.code).toBe('tool_not_allowed');
    await ask('openai/gpt-4o');
    const sent = (await sim(stack).stats('openai')).lastRequest!.body;
    expect(sent.tools.map((t: Json) => t.function.name)).not.toContain('run_command');
    expect(sent.tools.map((t: Json) => t.function.name)).toContain('read_file');
  });
});
