#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CliConfigSchema, loadConfig } from '@cp/shared/config';
import { CAPABILITY_NAMES, JobView, MatrixEntry, SLO_NAMES, SloReport, type SloName } from '@cp/shared/contracts';
import { sparkline } from '@cp/slo-collector/domain';
import { z } from 'zod';
import { registerAuditChain } from './audit-commands';
import { registerLedger } from './ledger-commands';
import type { CliContext } from './cli-context';
import { ingestFolder } from './kb-ingest';

/** cpctl: operator commands against the gateway (`CP_GATEWAY_URL`, key from `CP_API_KEY` or `.run/gateway.key`). */
const config = loadConfig(CliConfigSchema);
const program = new Command('cpctl').description('operate the agent control plane').option('--url <url>', 'gateway URL', config.CP_GATEWAY_URL);

function apiKey(): string {
  if (config.CP_API_KEY) return config.CP_API_KEY;
  try {
    return readFileSync('.run/gateway.key', 'utf8').trim();
  } catch {
    throw new Error('no API key: set CP_API_KEY');
  }
}

async function call(path: string, auth: boolean, post?: unknown): Promise<unknown> {
  const headers: Record<string, string> = auth ? { authorization: `Bearer ${apiKey()}` } : {};
  if (post !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${program.opts<{ url: string }>().url}${path}`, post === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(post) });
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body;
}

const print = (v: unknown): void => void process.stdout.write(JSON.stringify(v, null, 2) + '\n');
const ctx: CliContext = { config, call: (path, post) => call(path, true, post), print, write: (text) => void process.stdout.write(text) };

program
  .command('status')
  .description('health, version and git sha of every service')
  .action(async () => {
    print(await call('/health', true));
  });

const audit = program.command('audit').description('audit ledger commands');

registerAuditChain(audit, ctx);
registerLedger(program, ctx);

audit
  .command('status')
  .description("the ledger: the auditor's lag, parked messages, completeness check")
  .action(async () => {
    const r = (await call('/v1/audit/status', true)) as { lag: number; parked: number; gaps: { missing: number } };
    print(r);
    // Something to look at: parked messages or messages gone from the stream.
    if (r.parked > 0 || r.gaps.missing > 0) process.exitCode = 2;
  });

audit
  .command('parked [seq]')
  .description('list parked messages (reason, where from, first bytes), or print one whole')
  .option('--after <seq>', 'list after this parked sequence')
  .option('--limit <n>', 'at most this many')
  .action(async (seq: string | undefined, opts: { after?: string; limit?: string }) => {
    if (seq) return print(await call(`/v1/audit/parked/${encodeURIComponent(seq)}`, true));
    const query = new URLSearchParams({ ...(opts.after ? { after: opts.after } : {}), ...(opts.limit ? { limit: opts.limit } : {}) }).toString();
    print(await call(`/v1/audit/parked${query ? `?${query}` : ''}`, true));
  });

audit
  .command('resubmit <seq>')
  .description('store a parked message: as it was, or with fixed events from a JSON file (an envelope or an array of them)')
  .option('--file <path>', 'the fixed event envelope(s)')
  .action(async (seq: string, opts: { file?: string }) => {
    const fixed: unknown = opts.file ? JSON.parse(readFileSync(opts.file, 'utf8')) : undefined;
    const body = fixed === undefined ? {} : { events: Array.isArray(fixed) ? fixed : [fixed] };
    print(await call(`/v1/audit/parked/${encodeURIComponent(seq)}/resubmit`, true, body));
  });

/** The gateway's matrix answer, parsed rather than trusted. */
const MatrixList = z.object({ data: z.array(MatrixEntry) });
/** One line per model: wire, whether simulated, the plain completion and each capability's status. */
function printMatrix(rows: MatrixEntry[]): void {
  const breaker = (r: MatrixEntry) => (r.breaker.misconfigured ? `${r.breaker.state} (misconfigured)` : r.breaker.state);
  const table = [['model', 'wire', 'sim', 'completion', ...CAPABILITY_NAMES, 'breaker'], ...rows.map((r) => [r.id, r.wire, r.simulated ? 'yes' : 'no', r.completion.status, ...CAPABILITY_NAMES.map((c) => r.capabilities[c].status), breaker(r)])];
  printTable(table);
  const failures = rows.flatMap((r) =>
    [['completion', r.completion] as const, ...Object.entries(r.capabilities)].filter(([, c]) => c.status === 'failed').map(([name, c]) => `${r.id} ${name}: ${c.detail ?? 'failed'}`),
  );
  for (const f of failures) process.stdout.write(`failed: ${f}\n`);
}

const providers = program.command('providers').description('providers, models and their verified capabilities');

providers
  .command('matrix')
  .description('the compatibility matrix: declared, verified, failed or unsupported per capability')
  .option('--json', 'print the raw JSON')
  .action(async (opts: { json?: boolean }) => {
    const body = await call('/v1/providers/matrix', true);
    if (opts.json) print(body);
    else printMatrix(MatrixList.parse(body).data);
  });

providers
  .command('probe')
  .description('probe the live providers now and print the updated matrix')
  .option('--provider <id>', 'only this provider')
  .option('--model <name>', 'only this model (provider/model, or a model id with --provider)')
  .option('--json', 'print the raw JSON')
  .action(async (opts: { provider?: string; model?: string; json?: boolean }) => {
    const body = await call('/v1/providers/probe', true, { ...(opts.provider ? { provider: opts.provider } : {}), ...(opts.model ? { model: opts.model } : {}) });
    // The answer is the whole matrix; show and judge only what this run probed.
    const rows = MatrixList.parse(body).data.filter((r) => (!opts.provider || r.provider === opts.provider) && (!opts.model || r.id === opts.model || r.model === opts.model));
    if (opts.json) print(body);
    else printMatrix(rows);
    if (rows.some((r) => r.completion.status === 'failed' || Object.values(r.capabilities).some((c) => c.status === 'failed'))) process.exitCode = 1;
  });

const kb = program.command('kb').description('the knowledge base of the memory plane');

kb.command('ingest <folder>')
  .description('ingest the Markdown, text, HTML and JSON files of a folder (re-runs replace changed files, skip unchanged ones)')
  .action(async (folder: string) => {
    const url = program.opts<{ url: string }>().url;
    const post = async (body: unknown) => {
      const res = await fetch(`${url}/v1/kb/documents`, { method: 'POST', headers: { authorization: `Bearer ${apiKey()}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const summary = await ingestFolder(folder, post);
    print(summary);
    if (summary.failed.length > 0) process.exitCode = 1;
  });

/** An SLO value as people read it: milliseconds or seconds for latency, percent for rates. */
function sloValue(slo: SloName, v: number | null): string {
  if (v === null) return '-';
  if (slo === 'latency_p95') return v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`;
  return `${(v * 100).toFixed(1)}%`;
}

function printTable(table: string[][]): void {
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd() + '\n');
}

/** One line per SLO: value and verdict per window, budget left, and a sparkline of the hourly history. */
function printSlo(r: SloReport, route?: string): void {
  const series = route ? r.routes[route] : r.overall;
  if (!series) throw new Error(`no traffic recorded for route ${route}`);
  const windows = ['5m', '1h', '6h', '24h', '30d'] as const;
  const rows = SLO_NAMES.map((slo) => {
    const s = series[slo];
    const t = r.targets[slo];
    const cells = windows.map((w) => `${sloValue(slo, s.windows[w].value)} ${s.windows[w].verdict === 'no_data' ? '' : s.windows[w].verdict.toUpperCase()}`.trim());
    const budget = s.budgetLeft === null ? '-' : `${(s.budgetLeft * 100).toFixed(0)}%`;
    return [slo, `${t.comparator} ${sloValue(slo, t.target)}`, ...cells, budget, sparkline(s.hourly.map((p) => p.value))];
  });
  printTable([['slo', 'target', ...windows, 'budget', 'hourly'], ...rows]);
  if (r.timeScale !== 1) process.stdout.write(`time scale ${r.timeScale}: windows run ${r.timeScale}x faster\n`);
  for (const a of r.activeAlerts) process.stdout.write(`ALERT (${a.severity}): ${a.summary}\n`);
}

program
  .command('slo')
  .description('the five SLOs over 5m/1h/6h/24h/30d: value, verdict, error budget left, hourly sparkline')
  .option('--route <name>', 'one route instead of overall')
  .option('--hours <n>', 'hours of history in the sparkline', '24')
  .option('--json', 'print the raw JSON')
  .action(async (opts: { route?: string; hours: string; json?: boolean }) => {
    const query = new URLSearchParams({ hours: opts.hours, ...(opts.route ? { route: opts.route } : {}) });
    const body = await call(`/v1/slo?${query}`, true);
    if (opts.json) return print(body);
    const r = SloReport.parse(body);
    printSlo(r, opts.route);
    if (r.activeAlerts.length > 0) process.exitCode = 2;
  });

const heartbeats = program.command('heartbeats').description('scheduled jobs and their heartbeats');

heartbeats
  .command('list', { isDefault: true })
  .description('every job in the registry: status, last seen, next expected run, failures, drift')
  .option('--json', 'print the raw JSON')
  .action(async (opts: { json?: boolean }) => {
    const body = await call('/v1/heartbeats', true);
    if (opts.json) return print(body);
    const jobs = z.object({ jobs: z.array(JobView) }).parse(body).jobs;
    const at = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
    printTable([['job', 'schedule', 'status', 'last seen', 'next expected', 'failures', 'drift'], ...jobs.map((j) => [j.name, `${j.schedule} ${j.timezone}`, j.status, at(j.lastSeenAt), at(j.nextExpectedAt), String(j.consecutiveFailures), j.lastDriftMs === null ? '-' : `${Math.round(j.lastDriftMs / 1000)}s`])]);
    if (jobs.some((j) => j.status === 'stale' || j.status === 'failing')) process.exitCode = 2;
  });

heartbeats
  .command('send <job> <status>')
  .description('report a heartbeat of a job: start, success or failure')
  .option('--message <text>', 'what happened (for failures)')
  .action(async (job: string, status: string, opts: { message?: string }) => {
    print(await call(`/v1/heartbeats/${encodeURIComponent(job)}`, true, { status, ...(opts.message ? { message: opts.message } : {}) }));
  });

const tools = program.command('tools').description('tool governance');

tools
  .command('stats')
  .description('per tool: calls, repairs per class, blocked, self-corrections, local runs')
  .option('--json', 'print the raw JSON')
  .action(async (opts: { json?: boolean }) => {
    const body = (await call('/v1/tools/stats', true)) as { policy_version: string; requests: number; data: { tool: string; calls: number; repaired: number; repairs: Record<string, number>; blocked: number; invalid: number; selfCorrected: number; removed: number; localRuns: { ok: number; failed: number } }[] };
    if (opts.json) return print(body);
    process.stdout.write(`policy ${body.policy_version}, ${body.requests} requests with tools\n`);
    for (const r of body.data) {
      const repairs = Object.entries(r.repairs).map(([cls, n]) => `${cls}=${n}`).join(' ') || '-';
      process.stdout.write(`${r.tool.padEnd(24)} calls ${String(r.calls).padStart(5)}  repaired ${String(r.repaired).padStart(4)} (${repairs})  blocked ${r.blocked}  invalid ${r.invalid}  self-corrected ${r.selfCorrected}  removed ${r.removed}  local ok/failed ${r.localRuns.ok}/${r.localRuns.failed}\n`);
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`cpctl: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
