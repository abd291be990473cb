/**
 * `npm run bench:faults`: the fault bench. The whole stack as processes under its supervisor, with
 * a nats-server of its own and Postgres behind a TCP proxy (so both can be taken away), a steady
 * background load, and one fault scenario after another. After each: every request got one answer
 * or a clear error, every answered request has exactly one ledger event, the chain verifies, every
 * service is healthy. Prints the table of docs/reliability.md; exits non-zero when a check fails.
 */
import { Command } from 'commander';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { healthRpc, type HealthReply } from '@cp/shared/contracts';
import { parse, stringify } from 'yaml';
import { PrivateNatsServer, REPO_ROOT, SupervisedStack, waitFor } from '@cp/shared/testing';
import { simControl } from '../support/e2e-kit';
import { TcpProxy } from './faults/fault-infra';
import { invariants, type Check } from './faults/invariants';
import { SCENARIOS, type FaultCtx } from './faults/scenarios';
import { chat, SteadyLoad, type Answer } from './faults/steady-load';

const FIRST_BYTE_MS = 400;
const BREAKER_RESET_MS = 1500;
const GHOST_HOST = 'ghost.provider.test';

const program = new Command('bench:faults')
  .option('--only <names>', 'comma-separated scenario names (substring match)')
  .option('--rate <n>', 'background requests per second', '20')
  .option('--list', 'list the scenarios and exit')
  .parse(process.argv);
const opts = program.opts<{ only?: string; rate: string; list?: boolean }>();

/**
 * The shipped registry, with a short first-byte timeout on the primary so a hang costs little, and
 * a real (not simulated) provider `ghost` first in the full route, whose host the bench blocks
 * (`CP_PROVIDER_RESOLVE`), so it is unresolvable without any DNS query leaving the machine.
 */
function benchRegistry(): string {
  const doc = parse(readFileSync(join(REPO_ROOT, 'config/providers.yaml'), 'utf8')) as { providers: Record<string, unknown>[]; routes: Record<string, string[]> };
  const qwen = doc.providers.find((p) => p.id === 'qwen');
  if (!qwen) throw new Error('qwen missing from the registry');
  qwen.timeouts = { connectMs: 500, firstByteMs: FIRST_BYTE_MS, totalMs: 5000 };
  doc.providers.push({
    id: 'ghost',
    wire: 'openai',
    baseUrl: `http://${GHOST_HOST}/v1`,
    apiKeyEnv: 'GHOST_API_KEY',
    models: [{ id: 'ghost-1', capabilities: { tools: true, vision: false, streaming: true, jsonMode: true }, contextWindow: 32768, maxOutput: 4096, pricePerMTok: { input: 1, output: 1 } }],
  });
  doc.routes.full.unshift('ghost/ghost-1');
  const file = join(mkdtempSync(join(tmpdir(), 'cp-faults-')), 'providers.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

interface Row {
  scenario: string;
  injection: string;
  happened: string;
  checks: Check[];
  seconds: number;
}

async function main(): Promise<number> {
  const selected = SCENARIOS.filter((s) => !opts.only || opts.only.split(',').some((n) => s.name.toLowerCase().includes(n.trim().toLowerCase())));
  if (opts.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name}: ${s.injection}\n`);
    return 0;
  }
  const nats = new PrivateNatsServer();
  const pg = new TcpProxy(5432);
  await nats.start();
  await pg.start();
  const registry = benchRegistry();
  const label = 'faults';
  const env: Record<string, string> = { CP_NATS_URL: nats.url, CP_BREAKER_RESET_MS: String(BREAKER_RESET_MS), CP_PROVIDERS_FILE: registry, CP_LOG_LEVEL: 'warn', CP_PROVIDER_RESOLVE: `${GHOST_HOST}=none`, GHOST_API_KEY: 'sk-bench-ghost-not-a-real-key' };
  const stack = new SupervisedStack({ label, env });
  // The services reach Postgres through the proxy (the run's own database); the bench reads the store directly.
  const proxied = new URL(stack.iso.databaseUrl);
  proxied.port = String(pg.port);
  env.CP_DATABASE_URL = proxied.toString();
  const rows: Row[] = [];
  const started = Date.now();
  let db: Client | undefined;
  let load: SteadyLoad | undefined;
  try {
    process.stdout.write(`[faults] starting the stack (NATS ${nats.url}, Postgres via proxy :${pg.port})\n`);
    await stack.start();
    db = new Client({ connectionString: stack.iso.databaseUrl });
    await db.connect();
    const get = async (path: string) => (await fetch(`${stack.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${stack.apiKey}` }, signal: AbortSignal.timeout(60_000) })).json() as Promise<any>;
    load = new SteadyLoad(stack.gatewayUrl, stack.apiKey);
    load.start(Number(opts.rate));
    let mine: Answer[] = [];
    let n = 0;
    const client = db;
    const ctx: FaultCtx = {
      stack,
      nats,
      pg,
      db: client,
      sim: simControl(stack),
      load,
      get,
      chat: async (body) => {
        const a = await chat(stack.gatewayUrl, stack.apiKey, `fb-s-${++n}`, load!.scenario, body);
        mine.push(a);
        return a;
      },
      ledger: (id) =>
        waitFor('ledger event', async () => {
          const r = await client.query(`SELECT payload FROM events WHERE correlation_id = $1 AND type = 'gateway.request-completed'`, [id]);
          return r.rowCount ? r.rows[0].payload : undefined;
        }, 30_000),
      resources: async (service) => {
        const nc = await connect({ servers: nats.url });
        try {
          const reply = (await nc.request(`${stack.iso.namespace}.${healthRpc(service).subject}`, '{}', { timeout: 5000 })).json<HealthReply>();
          return (reply.details?.resources ?? {}) as Record<string, number>;
        } finally {
          await nc.close();
        }
      },
      breakerResetMs: BREAKER_RESET_MS,
      firstByteMs: FIRST_BYTE_MS,
      registryFile: registry,
    };
    await sleep(1000);
    for (const scenario of selected) {
      const t0 = Date.now();
      load.scenario = scenario.name;
      mine = [];
      const from = load.answers.length;
      process.stdout.write(`[faults] ${scenario.name}: ${scenario.injection}\n`);
      let result: { happened: string; checks: Check[] };
      try {
        result = await scenario.run(ctx);
      } catch (err) {
        result = { happened: `threw: ${(err as Error).message}`, checks: [{ name: 'scenario ran', ok: false, detail: (err as Error).message }] };
      }
      await load.settle();
      const answers = [...mine, ...load.answers.slice(from).filter((a) => a.scenario === scenario.name)];
      const checks = [...result.checks, ...(await invariants({ db: client, get }, answers, { connectionLossAllowed: scenario.connectionLossAllowed }))];
      rows.push({ scenario: scenario.name, injection: scenario.injection, happened: result.happened, checks, seconds: Math.round((Date.now() - t0) / 100) / 10 });
      for (const c of checks.filter((c) => !c.ok)) process.stdout.write(`[faults]   FAILED ${c.name}: ${c.detail ?? ''}\n`);
    }
  } finally {
    await load?.stop().catch(() => undefined);
    await db?.end().catch(() => undefined);
    await stack.stop().catch(() => undefined);
    await pg.dispose();
    await nats.stop();
  }
  printTable(rows, (Date.now() - started) / 1000);
  mkdirSync(join(REPO_ROOT, '.run', 'bench'), { recursive: true });
  writeFileSync(join(REPO_ROOT, '.run', 'bench', 'faults-last.json'), JSON.stringify(rows, null, 2));
  return rows.every((r) => r.checks.every((c) => c.ok)) && rows.length === selected.length ? 0 : 1;
}

function printTable(rows: Row[], seconds: number): void {
  const table = [['scenario', 'injection', 'what happened', 'checks', 's'], ...rows.map((r) => [r.scenario, r.injection, r.happened, `${r.checks.filter((c) => c.ok).length}/${r.checks.length}`, String(r.seconds)])];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(`\n${line(table[0])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${table.slice(1).map(line).join('\n')}\n`);
  const passed = rows.reduce((n, r) => n + r.checks.filter((c) => c.ok).length, 0);
  const total = rows.reduce((n, r) => n + r.checks.length, 0);
  process.stdout.write(`\nfault bench: ${passed}/${total} checks passed in ${Math.round(seconds)} s\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:faults: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
