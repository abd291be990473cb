/**
 * Request shaping through the gateway with the `openai` SDK: a 400 KB agent conversation sent to a
 * 128 K-token model arrives under its budget with the system prompt and the newest turn intact and
 * no orphaned tool messages; with a 1 M-token model in the route it goes there whole; a failover
 * from the 1 M model to the 128 K one reshapes for it; what no model can take is a 400
 * `context_length_exceeded`. provider-sim's stats show what each provider received.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Client } from 'pg';
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { REPO_ROOT, type Stack } from '@cp/shared/testing';
import { type Json, ledgerEvent, simControl as sim, startE2e } from './support/e2e-kit';

const CAPS = '{ tools: true, vision: true, streaming: true, jsonMode: true }';
const REGISTRY = `
version: 1
providers:
  - id: openai
    wire: openai
    baseUrl: https://api.openai.com/v1
    apiKeyEnv: CP_E2E_UNSET_OPENAI_KEY
    models: [{ id: gpt-4o, capabilities: ${CAPS}, contextWindow: 128000, maxOutput: 16384, pricePerMTok: { input: 2.5, output: 10 } }]
  - id: gemini
    wire: gemini
    baseUrl: https://generativelanguage.googleapis.com
    apiKeyEnv: CP_E2E_UNSET_GEMINI_KEY
    models: [{ id: gemini-2.5-pro, capabilities: ${CAPS}, contextWindow: 1048576, maxOutput: 65536, pricePerMTok: { input: 1.25, output: 10 } }]
routes:
  short: [openai/gpt-4o]
  long: [openai/gpt-4o, gemini/gemini-2.5-pro]
defaults: { simple: short, complex: short, vision: short }
`;
/** gpt-4o's budget: its window minus its output limit minus the default margin. */
const BUDGET_128K = 128_000 - 16_384 - 1024;

interface ShapingRecord {
  level: string;
  check: string;
  tokenizer: string;
  budgetTokens: number;
  tokensBefore: number;
  tokensAfter?: number;
  bytesBefore?: number;
  bytesAfter?: number;
  dropped?: number[];
  cut?: number[];
}
interface Ledger {
  provider?: string;
  trail: { shapingOrder?: { fitsWhole: string[] }; attempts: { provider: string; outcome: string; errorClass?: string; shaping?: ShapingRecord }[] };
}
type Message = OpenAI.ChatCompletionMessageParam;

/** Real prose and code to talk about: the repo's docs, read in order so no two turns repeat. */
function corpus(): string {
  const dir = join(REPO_ROOT, 'docs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/** An agent conversation of about 400 KB: 40 turns of question, tool call, tool result and answer, then the newest turn. */
function agentConversation(): { messages: Message[]; newestTurn: Message[] } {
  const text = corpus();
  let at = 0;
  const take = (n: number) => {
    const piece = text.slice(at % (text.length - n), (at % (text.length - n)) + n);
    at += n;
    return piece;
  };
  const messages: Message[] = [{ role: 'system', content: `You are a coding agent. Answer briefly.\n${take(2000)}` }];
  for (let t = 0; t < 40; t++) {
    messages.push({ role: 'user', content: `Question ${t}: ${take(1800)}` });
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `call_${t}`, type: 'function', function: { name: 'read_file', arguments: JSON.stringify({ path: `docs/part-${t}.md` }) } }] });
    messages.push({ role: 'tool', tool_call_id: `call_${t}`, content: take(8000) });
    messages.push({ role: 'assistant', content: `Answer ${t}: ${take(200)}` });
  }
  const newestTurn: Message[] = [
    { role: 'user', content: 'NEWEST QUESTION: what does the breaker do after the reset time?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_newest', type: 'function', function: { name: 'read_file', arguments: '{"path":"docs/routing.md"}' } }] },
    { role: 'tool', tool_call_id: 'call_newest', content: 'After resetMs one probe goes through.' },
  ];
  return { messages: [...messages, ...newestTurn], newestTurn };
}

const READ_FILE: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'read_file', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } };

/** Tool messages whose call is missing, and calls whose result is missing, in an OpenAI message list. */
function orphansIn(messages: Json[]): string[] {
  const calls = new Set<string>(messages.flatMap((m: Json) => (m.tool_calls ?? []).map((c: Json) => c.id)));
  const results = new Set<string>(messages.filter((m: Json) => m.role === 'tool').map((m: Json) => m.tool_call_id));
  return [...[...results].filter((id) => !calls.has(id)).map((id) => `result ${id}`), ...[...calls].filter((id) => !results.has(id)).map((id) => `call ${id}`)];
}

describe('request shaping through the gateway', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;
  const encoder = new Tiktoken(o200k);
  const { messages, newestTurn } = agentConversation();
  const tokensOf = (received: Json[]) => received.reduce((n: number, m: Json) => n + encoder.encode(JSON.stringify(m), [], []).length, 0);

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cp-reg-')), 'providers.yaml');
    writeFileSync(file, REGISTRY);
    ({ stack, client, db, stop } = await startE2e({ label: 'shaping', env: { CP_PROVIDERS_FILE: file } }));
  });

  afterEach(async () => {
    await sim(stack).reset();
  });

  afterAll(async () => {
    await stop?.();
  });

  const ask = (model: string, msgs: Message[] = messages) => client.chat.completions.create({ model, messages: msgs, tools: [READ_FILE] }).withResponse();
  const ledgerOf = (response: Response) => ledgerEvent<Ledger>(db, response.headers.get('x-request-id'));
  /** What the 128 K model received: under its budget, system prompt and newest turn as sent, a user turn first, no orphans. */
  const receivedBy128K = async (): Promise<Json[]> => {
    const received = (await sim(stack).stats('openai')).lastRequest?.body.messages as Json[];
    expect(tokensOf(received)).toBeLessThanOrEqual(BUDGET_128K);
    expect(received[0]).toEqual(messages[0]);
    expect(received.slice(-newestTurn.length)).toEqual(newestTurn);
    expect(received[1].role).toBe('user');
    expect(orphansIn(received)).toEqual([]);
    expect(received.length).toBeLessThan(messages.length);
    return received;
  };

  it('given a 400 KB conversation and a route with only a 128 K model, then the model receives it under its budget, system prompt and newest turn intact, no tool message orphaned', async () => {
    expect(Buffer.byteLength(JSON.stringify(messages))).toBeGreaterThan(400_000);
    const { data, response } = await ask('short');
    expect(data.choices[0].message.content).toBe('echo: NEWEST QUESTION: what does the breaker do after the reset time?');

    const received = await receivedBy128K();

    const ledger = await ledgerOf(response);
    const shaping = ledger.trail.attempts[0].shaping;
    expect(shaping).toMatchObject({ level: 'aggressive', check: 'counted', tokenizer: 'tiktoken:o200k_base', budgetTokens: BUDGET_128K });
    expect(shaping?.tokensAfter).toBeLessThanOrEqual(BUDGET_128K);
    expect(shaping?.bytesAfter).toBeLessThan(shaping?.bytesBefore ?? 0);
    // The oldest turns went first and whole: the dropped indexes are 1, 2, 3, ... with no gap.
    expect(shaping?.dropped).toEqual(Array.from({ length: messages.length - received.length }, (_, i) => i + 1));
  });

  it('given the same conversation and a route with a 1 M model after the 128 K one, then it goes to the 1 M model whole', async () => {
    const { response } = await ask('long');
    expect(await sim(stack).requests('openai')).toBe(0);
    const body = (await sim(stack).stats('gemini')).lastRequest?.body as Json;
    const parts = body.contents.reduce((n: number, c: Json) => n + c.parts.length, 0);
    expect(parts).toBe(messages.length - 1);

    const ledger = await ledgerOf(response);
    expect(ledger.provider).toBe('gemini');
    expect(ledger.trail.shapingOrder).toEqual({ reordered: true, fitsWhole: ['gemini/gemini-2.5-pro'] });
    expect(ledger.trail.attempts).toHaveLength(1);
    expect(ledger.trail.attempts[0].shaping).toMatchObject({ level: 'none' });
    expect(ledger.trail.attempts[0].shaping?.dropped).toBeUndefined();
  });

  it('given the 1 M model fails, then the failover to the 128 K model reshapes the conversation for it', async () => {
    await sim(stack).fault('gemini', { type: 'status', status: 503, times: 1 });
    const { data, response } = await ask('long');
    expect(data.choices[0].message.content).toContain('echo: NEWEST QUESTION');

    await receivedBy128K();

    const ledger = await ledgerOf(response);
    expect(ledger.trail.attempts.map((a) => [a.provider, a.outcome, a.shaping?.level])).toEqual([
      ['gemini', 'error', 'none'],
      ['openai', 'ok', 'aggressive'],
    ]);
  });

  it('given a newest turn no model can take even shaped, then the SDK gets a 400 context_length_exceeded naming the sizes, and no provider is called', async () => {
    const huge: Message[] = [
      { role: 'user', content: 'save this' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_big', type: 'function', function: { name: 'read_file', arguments: JSON.stringify({ path: 'word '.repeat(1_000_000) }) } }] },
      { role: 'tool', tool_call_id: 'call_big', content: 'saved' },
    ];
    const err = await ask('long', huge).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.code).toBe('context_length_exceeded');
    expect(bad.param).toBe('messages');
    expect(bad.message).toMatch(/maximum context length is \d+ tokens; this request needs at least \d+ tokens of input after shaping/);
    expect((await sim(stack).requests('openai')) + (await sim(stack).requests('gemini'))).toBe(0);
  });
});
