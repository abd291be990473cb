/**
 * Gateway latency/throughput/CPU benchmark (`npm run build && npm run bench:gateway -- --help`).
 *
 * Starts the whole stack from `dist/` (isolated database, stream and subject namespace), then for
 * every scenario drives the same load first straight at provider-sim and then through the gateway,
 * so the difference is what the control plane adds. Method and figures: docs/performance.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Command, InvalidArgumentError } from 'commander';
import { Client } from 'pg';
import { REPO_ROOT, Stack, STACK_SERVICES, TEST_PG_URL, type StackService } from '@cp/shared/testing';
import { formatSummary, summariseProfile, type ProfileSummary } from './cpuprofile-summary';
import { runLoad, sleep, type LoadResult, type LoadShape, type Pacing, type Target } from './load';
import { CLK_TCK, cpuDeltaMs, machineCpuMs, pgrep, sampleCpu, statusKb, type ProcGroup } from './proc-stats';

// ---------------------------------------------------------------- options

interface Options {
  duration: number;
  warmup: number;
  quick: boolean;
  json?: string;
  scenarios?: string[];
  streaming: boolean;
  slots: number;
  pacing: Pacing;
  logLevel: string;
  cpuProf?: string;
  model: string;
  busyCpus: boolean;
  otlp: boolean;
  nodeOptions?: string;
}

function parseOptions(argv: string[]): Options {
  const positive = (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
    return n;
  };
  const cmd = new Command('bench:gateway')
    .description('Latency, throughput, CPU and memory of the whole stack against provider-sim called directly')
    .option('--duration <s>', 'seconds per measured run', positive)
    .option('--warmup <s>', 'seconds of warm-up per target and mode before measuring', positive)
    .option('--quick', 'short runs (2 s each, 1 s warm-up): a smoke run, not figures to quote', false)
    .option('--json <file>', 'also write the results as JSON to this file')
    .option('--scenarios <list>', 'comma-separated subset: paced-100,paced-300,paced-500,closed-1,closed-32,closed-128')
    .option('--no-streaming', 'skip the streaming (stream: true) runs')
    .option('--slots <n>', 'staggered autocannon instances per second for paced runs', positive, 100)
    .option('--pacing <how>', 'paced runs: staggered (default) or autocannon (one instance, overallRate, 64 connections: bursts each second)', 'staggered')
    .option('--log-level <level>', 'CP_LOG_LEVEL of the services', 'warn')
    .option('--model <id>', 'provider/model asked of the gateway; the provider must speak the OpenAI wire (direct runs call provider-sim at /<provider>/v1)', 'qwen/qwen-turbo')
    .option('--busy-cpus', 'keep every core awake with a nice-19 spinner while measuring (shows the cost of idle-CPU wake-ups; see docs/performance.md)', false)
    .option('--otlp', 'give the services an OTLP endpoint (a sink in this process that discards what it gets), so spans are recorded and exported', false)
    .option('--node-options <flags>', 'NODE_OPTIONS for every service but provider-sim, for what-if runs (e.g. --stack-trace-limit=0)')
    .option('--cpu-prof <dir>', 'profile gateway, router and auditor (V8 sampling profiler) and summarise the samples inside the measured gateway runs')
    .parse(argv);
  const o = cmd.opts<{ duration?: number; warmup?: number; quick: boolean; json?: string; scenarios?: string; streaming: boolean; slots: number; pacing: string; logLevel: string; model: string; cpuProf?: string; busyCpus: boolean; otlp: boolean; nodeOptions?: string }>();
  return {
    duration: o.duration ?? (o.quick ? 2 : 6),
    warmup: o.warmup ?? (o.quick ? 1 : 2),
    quick: o.quick,
    json: o.json,
    scenarios: o.scenarios?.split(',').map((s) => s.trim()).filter(Boolean),
    streaming: o.streaming,
    slots: o.slots,
    pacing: o.pacing === 'autocannon' ? 'autocannon' : o.pacing === 'staggered' ? 'staggered' : invalid('--pacing', o.pacing),
    logLevel: o.logLevel,
    model: o.model,
    cpuProf: o.cpuProf ? resolve(o.cpuProf) : undefined,
    busyCpus: o.busyCpus,
    otlp: o.otlp,
    nodeOptions: o.nodeOptions,
  };
}

function invalid(flag: string, value: string): never {
  throw new InvalidArgumentError(`${flag}: unexpected value ${value}`);
}

// ---------------------------------------------------------------- scenarios

interface Scenario {
  name: string;
  shape: LoadShape;
  stream: boolean;
}

const SHAPES: { name: string; shape: LoadShape }[] = [
  { name: 'paced-100', shape: { kind: 'paced', rate: 100 } },
  { name: 'paced-300', shape: { kind: 'paced', rate: 300 } },
  { name: 'paced-500', shape: { kind: 'paced', rate: 500 } },
  { name: 'closed-1', shape: { kind: 'closed', connections: 1 } },
  { name: 'closed-32', shape: { kind: 'closed', connections: 32 } },
  { name: 'closed-128', shape: { kind: 'closed', connections: 128 } },
];

function scenarios(opts: Options): Scenario[] {
  const out: Scenario[] = [];
  for (const s of SHAPES) {
    if (opts.scenarios && !opts.scenarios.includes(s.name)) continue;
    out.push({ name: s.name, shape: s.shape, stream: false });
    if (opts.streaming) out.push({ name: `${s.name} stream`, shape: s.shape, stream: true });
  }
  if (opts.scenarios) {
    const unknown = opts.scenarios.filter((n) => !SHAPES.some((s) => s.name === n));
    if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  }
  return out;
}

const MESSAGES = [
  { role: 'system', content: 'You are a concise assistant for an engineering team.' },
  { role: 'user', content: 'Summarise in two sentences why connection pooling lowers tail latency under load.' },
];

/** The gateway request, and the request the gateway sends provider-sim for it (same body, so the sim does the same work). */
function targets(stack: Stack, model: string): Record<'direct' | 'gateway', (stream: boolean) => Target> {
  const providerModel = model.slice(model.indexOf('/') + 1);
  const instance = model.slice(0, model.indexOf('/'));
  return {
    direct: (stream) => ({
      url: `${stack.simUrl}/${instance}/v1/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-sim' },
      body: JSON.stringify({ model: providerModel, messages: MESSAGES, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) }),
    }),
    gateway: (stream) => ({
      url: `${stack.gatewayUrl}/v1/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ model, messages: MESSAGES, ...(stream ? { stream: true } : {}) }),
    }),
  };
}

// ---------------------------------------------------------------- measurement

const OTHER_SERVICES = STACK_SERVICES.filter((s) => !['gateway', 'router', 'auditor'].includes(s));

interface RunRecord {
  scenario: string;
  target: 'direct' | 'gateway';
  stream: boolean;
  load: LoadResult;
  /** CPU ms per process group over the run (for gateway runs also the auditor's catch-up). */
  cpuMs: Record<string, number>;
  wallMs: number;
  /** Monotonic window of the run, µs (same clock as V8's profile timestamps). */
  windowUs: [number, number];
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

class Bench {
  private pg!: Client;
  private nc!: NatsConnection;
  private jsm!: JetStreamManager;
  private runDbBackends: number[] = [];
  readonly records: RunRecord[] = [];
  groups: ProcGroup[] = [];

  constructor(
    readonly stack: Stack,
    readonly opts: Options,
  ) {}

  async init(): Promise<void> {
    this.pg = new Client({ connectionString: `${TEST_PG_URL}/postgres` });
    await this.pg.connect();
    this.nc = await connect({ servers: this.stack.iso.natsUrl, name: 'bench' });
    this.jsm = await jetstreamManager(this.nc);
    const pidOf = (s: StackService) => () => {
      const pid = this.stack.procs.get(s)?.pid;
      return pid ? [pid] : [];
    };
    this.groups = [
      ...STACK_SERVICES.map((s) => ({ name: s, pids: pidOf(s) })),
      { name: 'nats-server', pids: () => pgrep('-x', 'nats-server') },
      { name: 'postgres (run db)', pids: () => this.runDbBackends },
      { name: 'postgres (all)', pids: () => pgrep('-u', 'postgres') },
      { name: 'provider-sim', pids: pidOf('provider-sim') },
      { name: 'load generator', pids: () => [process.pid] },
    ];
  }

  async close(): Promise<void> {
    await this.pg?.end().catch(() => undefined);
    await this.nc?.close().catch(() => undefined);
  }

  private async refreshBackends(): Promise<void> {
    const name = new URL(this.stack.iso.databaseUrl).pathname.slice(1);
    const r = await this.pg.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]);
    this.runDbBackends = r.rows.map((row) => row.pid);
  }

  /** Waits until the auditor has written and acked every event of the run (bounded). */
  async auditorDrained(timeoutMs = 15_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      try {
        const info = await this.jsm.consumers.info(this.stack.iso.stream, 'auditor');
        if (info.num_pending === 0 && info.num_ack_pending === 0) return true;
      } catch {
        // consumer not there yet
      }
      await sleep(25);
    }
    return false;
  }

  async run(sc: Scenario, target: 'direct' | 'gateway', t: Target): Promise<RunRecord> {
    await this.refreshBackends();
    const before = sampleCpu(this.groups);
    const machine0 = machineCpuMs();
    const t0 = nowUs();
    const started = performance.now();
    const load = await runLoad(t, sc.shape, this.opts.duration, this.opts.slots, this.opts.pacing);
    // The ledger event of each request is written after its answer: count the auditor's catch-up.
    if (target === 'gateway' && !(await this.auditorDrained())) process.stderr.write(`warning: auditor still behind after ${sc.name}\n`);
    const wallMs = performance.now() - started;
    const t1 = nowUs();
    await this.refreshBackends();
    const cpuMs = cpuDeltaMs(before, sampleCpu(this.groups));
    const machine1 = machineCpuMs();
    cpuMs['machine busy'] = machine1.busy - machine0.busy;
    cpuMs['machine steal'] = machine1.steal - machine0.steal;
    const rec: RunRecord = { scenario: sc.name, target, stream: sc.stream, load, cpuMs, wallMs, windowUs: [t0, t1] };
    this.records.push(rec);
    process.stderr.write(`  ${sc.name.padEnd(18)} ${target.padEnd(8)} ${load.rps.toFixed(0).padStart(6)} req/s  p50 ${fmtMs(load.p50)}  p99 ${fmtMs(load.p99)}  2xx ${load.ok}  non-2xx ${load.non2xx}  errors ${load.errors}\n`);
    return rec;
  }
}

// ---------------------------------------------------------------- reporting

const fmtMs = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const fmtUs = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');

function table(head: string[], rows: string[][], alignLeft = 2): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => (i < alignLeft ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const answered = (r: RunRecord) => r.load.ok + r.load.non2xx;
const perReqUs = (ms: number | undefined, r: RunRecord) => (answered(r) > 0 && ms !== undefined ? (ms * 1000) / answered(r) : NaN);
const servicesMs = (r: RunRecord) => STACK_SERVICES.reduce((a, s) => a + (r.cpuMs[s] ?? 0), 0);
/** Every process of the stack but provider-sim and the load generator: services, nats-server, all Postgres processes. */
const totalStackMs = (r: RunRecord) => servicesMs(r) + (r.cpuMs['nats-server'] ?? 0) + (r.cpuMs['postgres (all)'] ?? 0);
const statusSummary = (l: LoadResult) =>
  Object.entries(l.statusCodes)
    .filter(([c]) => !c.startsWith('2'))
    .map(([c, n]) => `${c}x${n}`)
    .join(' ');

interface Pair {
  scenario: string;
  stream: boolean;
  direct?: RunRecord;
  gateway?: RunRecord;
  addedP50: number;
  addedP99: number;
}

function pairs(records: RunRecord[]): Pair[] {
  const out = new Map<string, Pair>();
  for (const r of records) {
    const p = out.get(r.scenario) ?? { scenario: r.scenario, stream: r.stream, addedP50: NaN, addedP99: NaN };
    p[r.target] = r;
    out.set(r.scenario, p);
  }
  for (const p of out.values()) {
    if (p.direct && p.gateway) {
      p.addedP50 = p.gateway.load.p50 - p.direct.load.p50;
      p.addedP99 = p.gateway.load.p99 - p.direct.load.p99;
    }
  }
  return [...out.values()];
}

/** A negative tail difference means the direct run's tail was the noisier one: say so rather than claim a gain. */
const tailNote = (p: Pair) => (p.addedP99 < 0 ? ` (direct p99 ${fmtMs(p.direct!.load.p99)} > gateway p99 ${fmtMs(p.gateway!.load.p99)}: noise, rerun)` : '');

interface TargetCheck {
  target: string;
  limit: string;
  measured: string;
  verdict: 'PASS' | 'FAIL' | 'n/a';
}

function checks(ps: Pair[]): TargetCheck[] {
  const at300 = ps.find((p) => p.scenario === 'paced-300');
  const at300s = ps.find((p) => p.scenario === 'paced-300 stream');
  const closed = ps.filter((p) => p.scenario.startsWith('closed-') && !p.stream && p.gateway);
  const best = closed.sort((a, b) => b.gateway!.load.okRps - a.gateway!.load.okRps)[0];
  const bestOk = best ? best.gateway!.load.okRps : NaN;
  const v = (ok: boolean | undefined): TargetCheck['verdict'] => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL');
  const usable = (p: Pair | undefined) => p && p.gateway && p.gateway.load.ok > 0 && p.direct && p.direct.load.ok > 0;
  const out: TargetCheck[] = [
    { target: 'added p50 @ paced 300 rps', limit: '<= 1 ms', measured: usable(at300) ? `${fmtMs(at300!.addedP50)} ms` : 'not run', verdict: v(usable(at300) ? at300!.addedP50 <= 1 : undefined) },
    { target: 'added p99 @ paced 300 rps', limit: '<= 5 ms', measured: usable(at300) ? `${fmtMs(at300!.addedP99)} ms${tailNote(at300!)}` : 'not run', verdict: v(usable(at300) ? at300!.addedP99 <= 5 : undefined) },
    {
      target: 'closed-loop 2xx throughput, whole stack',
      limit: '>= 2000 rps',
      measured: best ? `${bestOk.toFixed(0)} rps (${best.scenario})` : 'not run',
      verdict: v(best ? bestOk >= 2000 : undefined),
    },
  ];
  const cpuCheck = (label: string, p: Pair | undefined) => {
    const us = p?.gateway ? perReqUs(totalStackMs(p.gateway), p.gateway) : NaN;
    out.push({ target: `CPU/request, all stack processes @ ${label}`, limit: '<= 500 us', measured: p?.gateway ? `${fmtUs(us)} us` : 'not run', verdict: v(p?.gateway ? us <= 500 : undefined) });
  };
  cpuCheck('paced 300 rps', at300);
  cpuCheck(best ? best.scenario : 'best closed-loop', best);
  if (at300s) {
    const ok = usable(at300s);
    const why = at300s.gateway && at300s.gateway.load.ok === 0 ? `gateway answered ${statusSummary(at300s.gateway.load) || 'nothing'}` : 'not run';
    out.push({ target: 'added p50 @ paced 300 rps, streaming', limit: '<= 1 ms', measured: ok ? `${fmtMs(at300s.addedP50)} ms` : why, verdict: v(ok ? at300s.addedP50 <= 1 : undefined) });
    out.push({ target: 'added p99 @ paced 300 rps, streaming', limit: '<= 5 ms', measured: ok ? `${fmtMs(at300s.addedP99)} ms${tailNote(at300s)}` : why, verdict: v(ok ? at300s.addedP99 <= 5 : undefined) });
  }
  return out;
}

function report(bench: Bench, memory: Record<string, { hwmKb?: number; rssKb?: number }>, profiles: (ProfileSummary & { cpuMs: number })[]): { text: string; json: unknown } {
  const { records, opts } = bench;
  const ps = pairs(records);
  const out: string[] = [];
  out.push('');
  out.push(`gateway benchmark: ${new Date().toISOString()}  ${cpus().length} cores (${cpus()[0]?.model ?? '?'})  node ${process.version}  CLK_TCK ${CLK_TCK}`);
  out.push(`${opts.quick ? 'QUICK run (smoke only)' : 'full run'}: ${opts.duration} s per run, ${opts.warmup} s warm-up per target/mode; model ${opts.model}; services at CP_LOG_LEVEL=${opts.logLevel}; ${opts.otlp ? 'OTLP endpoint set (spans recorded, exported to a discarding sink)' : 'no OTLP endpoint (spans are non-recording)'}${opts.busyCpus ? '; --busy-cpus: nice-19 spinners kept every core awake' : ''}${opts.cpuProf ? '; gateway/router/auditor under the CPU profiler (figures inflated)' : ''}${opts.nodeOptions ? `; services' NODE_OPTIONS=${opts.nodeOptions}` : ''}`);
  out.push('paced = open loop at a fixed arrival rate, spread by staggered autocannon instances (conns = rate); closed = N connections back to back');
  out.push('latency = time to the last byte of 2xx answers, measured per request (sub-ms), nearest-rank percentiles');
  out.push('');
  out.push('Latency and throughput');
  out.push(
    table(
      ['scenario', 'target', 'conns', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx', 'errors', 'non-2xx codes'],
      records.map((r) => [r.scenario, r.target, String(r.load.connections), r.load.rps.toFixed(0), fmtMs(r.load.p50), fmtMs(r.load.p90), fmtMs(r.load.p99), fmtMs(r.load.max), String(r.load.ok), String(r.load.non2xx), String(r.load.errors), statusSummary(r.load) || '-']),
    ),
  );
  out.push('');
  out.push('Added by the control plane (gateway minus direct, same scenario)');
  out.push(
    table(
      ['scenario', 'added p50 ms', 'added p99 ms', 'gateway/direct req/s'],
      ps.map((p) => {
        const bad = p.gateway && p.gateway.load.ok === 0 ? `n/a (gateway ${statusSummary(p.gateway.load)})` : undefined;
        return [p.scenario, bad ?? fmtMs(p.addedP50), bad ? '' : fmtMs(p.addedP99), p.direct && p.gateway ? (p.gateway.load.rps / p.direct.load.rps).toFixed(2) : 'n/a'];
      }),
      1,
    ),
  );
  out.push('');
  out.push('CPU per request through the gateway, us (utime+stime from /proc, over the run plus the auditor catch-up)');
  out.push('  total = gateway + router + auditor + other services + nats-server + all postgres processes; provider-sim and the load generator are not in it');
  const gw = records.filter((r) => r.target === 'gateway');
  const ratioToSim = (r: RunRecord) => {
    const d = records.find((x) => x.target === 'direct' && x.scenario === r.scenario);
    const sim = d ? perReqUs(d.cpuMs['provider-sim'], d) : NaN;
    const ratio = perReqUs(totalStackMs(r), r) / sim;
    return Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : 'n/a';
  };
  out.push(
    table(
      ['scenario', 'answers', 'gateway', 'router', 'auditor', 'other svc', 'nats*', 'pg run db', 'pg all*', 'TOTAL', 'sim', 'loadgen', 'TOTAL/sim direct'],
      gw.map((r) => [
        r.scenario,
        String(answered(r)),
        fmtUs(perReqUs(r.cpuMs.gateway, r)),
        fmtUs(perReqUs(r.cpuMs.router, r)),
        fmtUs(perReqUs(r.cpuMs.auditor, r)),
        fmtUs(perReqUs(OTHER_SERVICES.reduce((a, s) => a + (r.cpuMs[s] ?? 0), 0), r)),
        fmtUs(perReqUs(r.cpuMs['nats-server'], r)),
        fmtUs(perReqUs(r.cpuMs['postgres (run db)'], r)),
        fmtUs(perReqUs(r.cpuMs['postgres (all)'], r)),
        fmtUs(perReqUs(totalStackMs(r), r)),
        fmtUs(perReqUs(r.cpuMs['provider-sim'], r)),
        fmtUs(perReqUs(r.cpuMs['load generator'], r)),
        ratioToSim(r),
      ]),
      1,
    ),
  );
  out.push('  TOTAL/sim direct = the stack\'s CPU per request over provider-sim\'s (a bare node:http echo) in the direct run of the same scenario, for scale:');
  out.push('    per-request CPU depends heavily on the arrival pattern on this machine (see docs/performance.md).');
  out.push('  * nats-server and postgres are shared machine-wide: their figures include anything else using them at the time.');
  out.push('    "pg run db" = backends connected to this run\'s database (the auditor\'s); "pg all" = every process of user postgres (also WAL writer, checkpointer...).');
  out.push('');
  out.push('Reference: provider-sim called directly, us per request (and what the idle stack burns meanwhile)');
  const direct = records.filter((r) => r.target === 'direct');
  out.push(
    table(
      ['scenario', 'answers', 'sim', 'loadgen', 'idle stack ms/s'],
      direct.map((r) => [r.scenario, String(answered(r)), fmtUs(perReqUs(r.cpuMs['provider-sim'], r)), fmtUs(perReqUs(r.cpuMs['load generator'], r)), ((totalStackMs(r) * 1000) / r.wallMs).toFixed(1)]),
      1,
    ),
  );
  out.push('');
  out.push('Interference check: machine CPU (from /proc/stat) that none of the measured processes used, and hypervisor steal, ms per second of run');
  out.push(
    table(
      ['scenario', 'target', 'other ms/s', 'steal ms/s'],
      records.map((r) => {
        const known = totalStackMs(r) + (r.cpuMs['provider-sim'] ?? 0) + (r.cpuMs['load generator'] ?? 0);
        return [r.scenario, r.target, (((r.cpuMs['machine busy'] - known) * 1000) / r.wallMs).toFixed(0), ((r.cpuMs['machine steal'] * 1000) / r.wallMs).toFixed(0)];
      }),
    ),
  );
  out.push('  (machine counters are tick-sampled, process counters exact: +-150 ms/s is noise; several hundred ms/s means something else ran, distrust that row)');
  out.push('');
  out.push('Peak memory at the end (VmHWM; nats-server is shared and long-running, so its peak predates this run)');
  out.push(
    table(
      ['process', 'peak MiB', 'now MiB'],
      Object.entries(memory).map(([k, m]) => [k, m.hwmKb !== undefined ? (m.hwmKb / 1024).toFixed(1) : 'n/a', m.rssKb !== undefined ? (m.rssKb / 1024).toFixed(1) : 'n/a']),
      1,
    ),
  );
  out.push('');
  const cs = checks(ps);
  out.push('Targets (issue)');
  out.push(table(['target', 'limit', 'measured', 'verdict'], cs.map((c) => [c.target, c.limit, c.measured, c.verdict]), 3));
  if (profiles.length) {
    out.push('');
    out.push('CPU profiles (samples inside the measured gateway runs only)');
    for (const p of profiles) out.push(formatSummary(p, 15, p.cpuMs));
  }
  const json = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, clkTck: CLK_TCK },
    options: opts,
    runs: records.map((r) => ({ ...r, cpuUsPerRequest: Object.fromEntries(Object.entries(r.cpuMs).map(([k, ms]) => [k, perReqUs(ms, r)])), totalStackUsPerRequest: perReqUs(totalStackMs(r), r) })),
    added: ps.map((p) => ({ scenario: p.scenario, stream: p.stream, addedP50Ms: p.addedP50, addedP99Ms: p.addedP99 })),
    memory,
    targets: cs,
    profiles: profiles.map((p) => ({ ...p, selfByFunction: p.selfByFunction.slice(0, 40) })),
  };
  return { text: out.join('\n'), json };
}

// ---------------------------------------------------------------- main

/** One request to the target; it must be answered and must reach the provider-sim instance the direct runs use. */
async function preflight(name: string, t: Target, stream: boolean, simUrl: string, instance: string): Promise<void> {
  const served = async () => ((await (await fetch(`${simUrl}/_sim/instances/${instance}/stats`)).json()) as { requests: number }).requests;
  const before = await served();
  const res = await fetch(t.url, { method: 'POST', headers: t.headers, body: t.body });
  const text = await res.text();
  const reached = (await served()) > before;
  const ok = res.ok && reached && (stream ? text.includes('[DONE]') : text.includes('"echo: '));
  process.stderr.write(`preflight ${name}${stream ? ' stream' : ''}: HTTP ${res.status}${ok ? ' ok' : ` UNEXPECTED${reached ? '' : ` (provider-sim instance ${instance} not called)`}: ${text.slice(0, 200)}`}\n`);
  if (!stream && !ok) throw new Error(`${name} does not answer a plain completion through provider-sim instance ${instance}; nothing to compare`);
}

/** An OTLP/HTTP endpoint that reads and discards every export (its CPU is counted as the load generator's). */
async function startOtlpSink(): Promise<{ url: string; exports: () => number; close: () => Promise<void> }> {
  let exports = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${addr.port}`, exports: () => exports, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** One lowest-priority busy loop per core: the CPUs never go idle, so no wake-up pays the idle-exit cost. */
function startSpinners(): ChildProcess[] {
  return cpus().map(() => spawn('nice', ['-n', '19', process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' }));
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv);
  const plan = scenarios(opts);
  const profiled: StackService[] = ['gateway', 'router', 'auditor'];
  const serviceEnv: Partial<Record<StackService, Record<string, string>>> = {};
  for (const s of STACK_SERVICES) {
    const env: Record<string, string> = {};
    const nodeOptions = opts.nodeOptions ? [opts.nodeOptions] : [];
    if (opts.cpuProf && profiled.includes(s)) {
      mkdirSync(join(opts.cpuProf, s), { recursive: true });
      // Node 20 refuses --cpu-prof in NODE_OPTIONS: a preload starts the profiler through the inspector.
      nodeOptions.push(`--require ${join(__dirname, 'cpu-profile-preload.js')}`);
      env.CP_BENCH_CPU_PROF_DIR = join(opts.cpuProf, s);
    }
    if (nodeOptions.length) env.NODE_OPTIONS = nodeOptions.join(' ');
    serviceEnv[s] = env;
  }
  const otlp = opts.otlp ? await startOtlpSink() : undefined;
  const stack = new Stack({ label: 'bench', env: { CP_LOG_LEVEL: opts.logLevel, ...(otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url } : {}) }, serviceEnv });
  const bench = new Bench(stack, opts);
  let spinners: ChildProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    for (const s of spinners) s.kill('SIGKILL');
    spinners = [];
    await bench.close();
    await stack.stop();
    await otlp?.close();
  })());
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: stopping the stack\n`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // e.g. a service that dies at start makes the stack's log pipe throw: still take the stack down.
  const onCrash = (err: unknown) => {
    process.stderr.write(`bench crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nstopping the stack\n`);
    void stop().finally(() => process.exit(1));
  };
  process.once('uncaughtException', onCrash);
  process.once('unhandledRejection', onCrash);

  const memory: Record<string, { hwmKb?: number; rssKb?: number }> = {};
  const profiles: (ProfileSummary & { cpuMs: number })[] = [];
  try {
    process.stderr.write(`starting the stack (logs in ${stack.logDir})\n`);
    await stack.start();
    await bench.init();
    const t = targets(stack, opts.model);
    const instance = opts.model.slice(0, opts.model.indexOf('/'));
    for (const stream of opts.streaming ? [false, true] : [false]) {
      await preflight('direct', t.direct(stream), stream, stack.simUrl, instance);
      await preflight('gateway', t.gateway(stream), stream, stack.simUrl, instance);
    }

    process.stderr.write(`warm-up (${opts.warmup} s per target and mode, 16 connections)\n`);
    for (const stream of opts.streaming ? [false, true] : [false]) {
      for (const target of ['direct', 'gateway'] as const) await runLoad(t[target](stream), { kind: 'closed', connections: 16 }, opts.warmup);
    }
    await bench.auditorDrained();

    if (opts.busyCpus) spinners = startSpinners();
    process.stderr.write(`measuring ${plan.length} scenarios x 2 targets, ${opts.duration} s each\n`);
    for (const sc of plan) {
      await bench.run(sc, 'direct', t.direct(sc.stream));
      await sleep(200);
      await bench.run(sc, 'gateway', t.gateway(sc.stream));
      await sleep(200);
    }

    for (const s of spinners) s.kill('SIGKILL');
    spinners = [];
    if (otlp) process.stderr.write(`OTLP sink received ${otlp.exports()} exports\n`);
    for (const g of bench.groups) {
      if (['load generator', 'postgres (run db)', 'postgres (all)'].includes(g.name)) continue;
      for (const pid of g.pids()) memory[g.pids().length > 1 ? `${g.name} ${pid}` : g.name] = { hwmKb: statusKb(pid, 'VmHWM'), rssKb: statusKb(pid, 'VmRSS') };
    }
    memory['load generator'] = { hwmKb: statusKb(process.pid, 'VmHWM'), rssKb: statusKb(process.pid, 'VmRSS') };
  } finally {
    await stop();
  }

  if (opts.cpuProf) {
    const windows = bench.records.filter((r) => r.target === 'gateway').map((r) => r.windowUs);
    for (const s of profiled) {
      const dir = join(opts.cpuProf, s);
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
        const summary = summariseProfile(join(dir, f), REPO_ROOT, windows);
        summary.file = `${s}: ${join(dir, f)}`;
        profiles.push({ ...summary, cpuMs: bench.records.filter((r) => r.target === 'gateway').reduce((a, r) => a + (r.cpuMs[s] ?? 0), 0) });
      }
    }
  }

  const { text, json } = report(bench, memory, profiles);
  process.stdout.write(text + '\n');
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify(json, null, 2));
    process.stderr.write(`results written to ${opts.json}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
