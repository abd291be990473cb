/**
 * Repair benchmark (`npm run build && npm run bench:repair`): over the fixture table of malformed
 * tool calls (at least five per class, `REPAIR_FIXTURES`), the share each class repairs to exactly
 * the expected arguments, and the time per repaired call with the schemas already compiled (the
 * steady state: a schema is compiled once per process), plus the one-off compile cost.
 */
import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { checkArguments, CompiledToolPolicy, FIXTURE_ALIASES, FIXTURE_TOOLS, REPAIR_CLASSES, REPAIR_FIXTURES, ToolGovernor, ToolPolicySchema, ValidatorCache } from '@cp/tool-governor/domain';
import { isDeepStrictEqual } from 'node:util';
import { TEN_TOOLS } from './tools-row';

const ITERATIONS = Number(process.env.CP_BENCH_REPAIR_ITERATIONS ?? 2000);
const policy = new CompiledToolPolicy(ToolPolicySchema.parse({ version: 1, aliases: FIXTURE_ALIASES }));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const cold = performance.now();
const cache = new ValidatorCache();
for (const [name, schema] of Object.entries(FIXTURE_TOOLS)) checkArguments(name, schema, '{}', policy, cache);
const compileMs = performance.now() - cold;

const rows = REPAIR_CLASSES.map((cls) => {
  const cases = REPAIR_FIXTURES.filter((f) => f.cls === cls);
  let correct = 0;
  const perCallUs: number[] = [];
  for (const f of cases) {
    const verdict = checkArguments(f.tool, FIXTURE_TOOLS[f.tool], f.sent, policy, cache);
    const ok = f.expected === 'invalid' ? verdict.kind === 'invalid' : verdict.kind === 'repaired' && isDeepStrictEqual(JSON.parse(verdict.arguments), f.expected);
    if (ok) correct++;
    const started = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) checkArguments(f.tool, FIXTURE_TOOLS[f.tool], f.sent, policy, cache);
    perCallUs.push(Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS);
  }
  const repairable = cases.filter((f) => f.expected !== 'invalid').length;
  return { cls, cases: cases.length, repairable, correct, rate: correct / cases.length, medianUs: median(perCallUs), maxUs: Math.max(...perCallUs) };
});

const valid = (() => {
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) checkArguments('read_file', FIXTURE_TOOLS.read_file, '{"path":"/etc/hosts"}', policy, cache);
  return Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS;
})();

/** What the policy costs a ten-tool request whose answer has no tool call (the gateway bench's ten-tool row, in process). */
const tenTools = (() => {
  const governor = new ToolGovernor();
  const request = { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: TEN_TOOLS } as ChatCompletionRequest;
  const runs = ITERATIONS * 10;
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) governor.begin(request)!.decide({ content: 'echo', toolCalls: [] });
  return Number(process.hrtime.bigint() - started) / 1000 / runs;
})();

process.stdout.write(`repair bench: ${REPAIR_FIXTURES.length} fixtures, ${ITERATIONS} runs each, node ${process.version}\n`);
process.stdout.write(`${'class'.padEnd(18)} ${'cases'.padStart(5)} ${'as expected'.padStart(12)} ${'rate'.padStart(6)} ${'µs/call p50'.padStart(12)} ${'µs/call max'.padStart(12)}\n`);
for (const r of rows) process.stdout.write(`${r.cls.padEnd(18)} ${String(r.cases).padStart(5)} ${`${r.correct}/${r.cases}`.padStart(12)} ${`${Math.round(r.rate * 100)}%`.padStart(6)} ${r.medianUs.toFixed(1).padStart(12)} ${r.maxUs.toFixed(1).padStart(12)}\n`);
process.stdout.write(`a valid call (checked, untouched): ${valid.toFixed(1)} µs; compiling the ${Object.keys(FIXTURE_TOOLS).length} fixture schemas once: ${compileMs.toFixed(1)} ms\n`);
process.stdout.write(`a ten-tool request under the default policy, answered without a tool call: ${tenTools.toFixed(2)} µs of policy work per request\n`);
process.stdout.write('(cases whose expected outcome is "invalid" count as correct when the call is refused, never guessed)\n');
process.exit(rows.every((r) => r.correct === r.cases) ? 0 : 1);
