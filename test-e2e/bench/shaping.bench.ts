/**
 * `npm run bench:shaping`: what request shaping costs per request, in-process (no stack). The small
 * paths are what nearly every request takes: the per-candidate fit check and the shaping call that
 * the cheap bound settles (no tokenizer). The large paths show what a 400 KB conversation costs
 * when it must be shaped (tiktoken for an OpenAI model, the estimate for Claude) or fits a 1 M model.
 * Figures go to docs/performance.md; on a busy machine they are upper bounds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletionRequest, ChatMessage, FunctionTool } from '@cp/shared/contracts';
import { DEFAULT_SHAPING, orderByFit, RequestShaper, type ShapingTarget } from '@cp/shaping/domain';

const ROOT = join(__dirname, '../../..');
const GPT_4O: ShapingTarget = { provider: 'openai', model: 'gpt-4o', wire: 'openai', contextWindow: 128_000, maxOutput: 16_384 };
const CANDIDATES: ShapingTarget[] = [
  { provider: 'qwen', model: 'qwen3-235b-a22b', wire: 'openai', contextWindow: 131_072, maxOutput: 16_384 },
  { provider: 'gemini', model: 'gemini-2.5-pro', wire: 'gemini', contextWindow: 1_048_576, maxOutput: 65_536 },
  GPT_4O,
  { provider: 'claude', model: 'claude-sonnet-4-5', wire: 'anthropic', contextWindow: 200_000, maxOutput: 64_000 },
  { provider: 'glm', model: 'glm-4.6', wire: 'openai', contextWindow: 200_000, maxOutput: 128_000 },
];
const TOOLS: FunctionTool[] = Array.from({ length: 10 }, (_, i) => ({ type: 'function', function: { name: `tool_${i}`, description: `Tool number ${i} does one thing well.`, parameters: { type: 'object', properties: { path: { type: 'string' }, limit: { type: 'integer' } }, required: ['path'] } } }));

const docs = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))
  .join('\n');

function agentRequest(turns: number, resultChars: number, tools: FunctionTool[] = []): ChatCompletionRequest {
  let at = 0;
  const take = (n: number) => docs.slice(at % (docs.length - n), (at += n) % (docs.length - n) || n);
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are a coding agent.' }];
  for (let t = 0; t < turns; t++) {
    messages.push({ role: 'user', content: `Question ${t}: ${take(Math.min(1800, resultChars))}` });
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `call_${t}`, type: 'function', function: { name: 'tool_0', arguments: `{"path":"docs/${t}.md"}` } }] });
    messages.push({ role: 'tool', tool_call_id: `call_${t}`, content: take(resultChars) });
  }
  messages.push({ role: 'user', content: 'And now?' });
  return { model: 'full', messages, ...(tools.length > 0 ? { tools } : {}) };
}

/** What the pipeline does per request when everything fits: a shaper, the fit of every candidate, one shaping call. */
async function perRequest(request: ChatCompletionRequest): Promise<void> {
  const shaper = new RequestShaper(request, DEFAULT_SHAPING);
  const { ordered } = orderByFit(CANDIDATES, (t) => shaper.fitsWhole(t), false);
  const out = await shaper.shapeFor(ordered[0]);
  if (!out.ok || out.request !== request) throw new Error('a small request was shaped');
}

async function nsPer(iterations: number, body: () => Promise<void>): Promise<number> {
  for (let i = 0; i < Math.min(iterations, 10_000); i++) await body();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await body();
  return Number(process.hrtime.bigint() - started) / iterations;
}

async function msOf(body: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await body();
  return Math.round((performance.now() - started) * 10) / 10;
}

async function main(): Promise<void> {
  const chat: ChatCompletionRequest = { model: 'auto', messages: [{ role: 'user', content: 'Summarise the breaker states in two sentences, please.' }] };
  const agent = agentRequest(6, 1500, TOOLS);
  const baseline = await nsPer(200_000, async () => void (await Promise.resolve(chat)));
  console.log('| path | per request |');
  console.log('|---|---:|');
  console.log(`| baseline: one await, nothing else | ${baseline.toFixed(0)} ns |`);
  for (const [name, request] of [
    ['one-line chat, 5 candidates: fit check x5 + shapeFor (bound)', chat],
    [`agent turn (${request_kb(agent)} KB, 19 messages, 10 tools), 5 candidates`, agent],
  ] as const) {
    console.log(`| ${name} | ${(await nsPer(200_000, () => perRequest(request))).toFixed(0)} ns |`);
  }

  const big = agentRequest(40, 8000);
  console.log(`\n| 400 KB conversation (${request_kb(big)} KB) | ms | level |`);
  console.log('|---|---:|---|');
  const first = new RequestShaper(big, DEFAULT_SHAPING);
  let level = '';
  const row = async (name: string, target: ShapingTarget, shaper = new RequestShaper(big, DEFAULT_SHAPING)) => {
    const ms = await msOf(async () => {
      const out = await shaper.shapeFor(target);
      level = `${out.record?.level ?? 'none'}, ${out.record?.exact ? 'exact' : 'not exact (estimate decided, or the tokenizer budget ran out)'}`;
    });
    console.log(`| ${name} | ${ms} | ${level} |`);
  };
  await row('to gpt-4o (128 K), first use: loads o200k_base', GPT_4O, first);
  for (let i = 0; i < 3; i++) await row('to gpt-4o (128 K), tokenizer loaded', GPT_4O);
  await row('to gemini-2.5-pro (1 M)', CANDIDATES[1]);
  await row('to claude-sonnet-4-5 (200 K, estimate)', CANDIDATES[3]);
  const fits = await msOf(async () => {
    const shaper = new RequestShaper(big, DEFAULT_SHAPING);
    orderByFit(CANDIDATES, (t) => shaper.fitsWhole(t), false);
  });
  console.log(`| fit check over the 5 candidates | ${fits} | |`);
}

function request_kb(request: ChatCompletionRequest): number {
  return Math.round(Buffer.byteLength(JSON.stringify(request)) / 1024);
}

void main();
