/**
 * Gateway latency/throughput/CPU benchmark (`npm run build && npm run bench:gateway -- --help`).
 *
 * Starts the whole stack from `dist/` (isolated database, stream and subject namespace) with tracing
 * exported to a local OTLP sink, then for every scenario drives the same load straight at provider-sim,
 * through a minimal reference proxy and through the gateway, so the differences are what a bare proxy
 * and what the control plane add. Ends with the targets. Method and figures: docs/performance.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { OtlpReceiver, REPO_ROOT, STACK_SERVICES, type StackService } from '@cp/shared/testing';
import { Bench, BenchStack, preflight, targets } from './bench-run';
import { summariseProfile, type ProfileSummary } from './cpuprofile-summary';
import { runLoad, sleep } from './load';
import { METRICS_AB, parseOptions, SATURATION, scenarios, TRACING_AB, type Options } from './options';
import { startRefProxy } from './ref-proxy';
import { report } from './report';
import { soak } from './soak';
import { measureTools, toolsRowText, type ToolsRow } from './tools-row';

/** One lowest-priority busy loop per core: the CPUs never go idle, so no wake-up pays the idle-exit cost. */
function startSpinners(): ChildProcess[] {
  return cpus().map(() => spawn('nice', ['-n', '19', process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' }));
}

const PROFILED: StackService[] = ['gateway', 'router', 'auditor'];

function serviceEnv(opts: Options): Partial<Record<StackService, Record<string, string>>> {
  const out: Partial<Record<StackService, Record<string, string>>> = {};
  for (const s of STACK_SERVICES) {
    const env: Record<string, string> = {};
    const nodeOptions = opts.nodeOptions ? [opts.nodeOptions] : [];
    if (opts.cpuProf && PROFILED.includes(s)) {
      mkdirSync(join(opts.cpuProf, s), { recursive: true });
      // Node 20 refuses --cpu-prof in NODE_OPTIONS: a preload starts the profiler through the inspector.
      nodeOptions.push(`--require ${join(__dirname, 'cpu-profile-preload.js')}`);
      env.CP_BENCH_CPU_PROF_DIR = join(opts.cpuProf, s);
    }
    if (nodeOptions.length) env.NODE_OPTIONS = nodeOptions.join(' ');
    out[s] = env;
  }
  return out;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv);
  const plan = opts.soakMinutes ? [] : scenarios(opts);
  const otlp = opts.tracing !== 'off' ? new OtlpReceiver({ keep: false }) : undefined;
  const otlpUrl = otlp ? await otlp.start() : undefined;
  const stack = new BenchStack({ label: 'bench', env: { CP_LOG_LEVEL: opts.logLevel, ...opts.env, ...(otlpUrl ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl } : {}) }, serviceEnv: serviceEnv(opts) }, otlpUrl);
  let proxy: Awaited<ReturnType<typeof startRefProxy>> | undefined;
  const bench = new Bench(stack, opts, () => proxy?.proc.pid);
  let spinners: ChildProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    for (const s of spinners) s.kill('SIGKILL');
    spinners = [];
    await bench.close();
    await proxy?.stop();
    await stack.stop();
    await otlp?.stop();
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

  const profiles: (ProfileSummary & { cpuMs: number })[] = [];
  let soakResult: Awaited<ReturnType<typeof soak>> | undefined;
  let toolsRow: ToolsRow | undefined;
  try {
    process.stderr.write(`starting the stack (logs in ${stack.logDir})\n`);
    await stack.start();
    if (opts.refProxy && !opts.soakMinutes) proxy = await startRefProxy(stack.simUrl);
    await bench.init();
    const t = targets(stack, opts.model, proxy?.url);
    const instance = opts.model.slice(0, opts.model.indexOf('/'));
    const kinds = ['direct', ...(proxy ? ['proxy' as const] : []), 'gateway'] as const;
    const modes = opts.streaming && !opts.soakMinutes ? [false, true] : [false];
    for (const stream of modes) for (const k of kinds) await preflight(k, t[k](stream), stream, stack.simUrl, instance);

    const warmUp = async () => {
      process.stderr.write(`warm-up (${opts.warmup} s per target and mode, 16 connections)\n`);
      for (const stream of modes) for (const k of kinds) await runLoad(t[k](stream), { kind: 'closed', connections: 16 }, opts.warmup);
      await bench.auditorDrained();
    };
    await warmUp();
    bench.notePeaks();

    if (opts.busyCpus) spinners = startSpinners();
    if (opts.soakMinutes) {
      soakResult = await soak(bench, t.direct(false), t.gateway(false), opts.soakMinutes);
    } else {
      process.stderr.write(`measuring ${plan.length} scenarios x ${kinds.length} targets, ${opts.duration} s each\n`);
      for (const sc of plan) {
        for (const k of kinds) {
          await bench.run(sc, k, t[k](sc.stream));
          await sleep(200);
        }
      }
      if (opts.tools) {
        process.stderr.write('ten tools: closed-1, direct / gateway / direct+10 tools / gateway+10 tools, alternating\n');
        toolsRow = await measureTools(t.direct(false), t.gateway(false), opts.duration);
      }
      const sat = plan.find((s) => s.name === SATURATION);
      if (opts.tracing === 'both' && sat) {
        // Tracing on, off, on again, back to back (ABA): a drift of the machine's load over these
        // minutes weighs on both sides. The services restart between the runs, so the last two run on
        // fresh processes, warmed up at least 3 s first.
        process.stderr.write('pricing tracing: closed-128 through the gateway with tracing on, off, on\n');
        const ab = { ...sat, name: TRACING_AB };
        await bench.run(ab, 'gateway', t.gateway(false));
        const fresh = async (tracing: boolean, metrics: boolean, name: string) => {
          await stack.restartServices(tracing, metrics);
          await runLoad(t.gateway(false), { kind: 'closed', connections: 16 }, Math.max(3, opts.warmup * 2));
          await bench.auditorDrained();
          await bench.run({ ...sat, name }, 'gateway', t.gateway(false));
        };
        for (const tracing of [false, true]) await fresh(tracing, true, TRACING_AB);
        // Metrics the same way, tracing on: the last run above is the first "on", then off, then on.
        process.stderr.write('pricing metrics: closed-128 through the gateway with request metrics off, then on\n');
        for (const metrics of [false, true]) await fresh(true, metrics, METRICS_AB);
      }
    }
    for (const s of spinners) s.kill('SIGKILL');
    spinners = [];
    bench.notePeaks();
  } finally {
    await stop();
  }

  if (opts.cpuProf) {
    const windows = bench.records.filter((r) => r.target === 'gateway').map((r) => r.windowUs);
    for (const s of PROFILED) {
      const dir = join(opts.cpuProf, s);
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
        const summary = summariseProfile(join(dir, f), REPO_ROOT, windows);
        summary.file = `${s}: ${join(dir, f)}`;
        profiles.push({ ...summary, cpuMs: bench.records.filter((r) => r.target === 'gateway').reduce((a, r) => a + (r.cpuMs[s] ?? 0), 0) });
      }
    }
  }

  const spans = otlp ? { exports: otlp.exports, spans: otlp.spanCount } : undefined;
  if (soakResult) {
    process.stdout.write(soakResult.text + '\n');
    if (opts.json) writeFileSync(opts.json, JSON.stringify({ date: new Date().toISOString(), options: opts, spans, soak: soakResult.json, memory: bench.memory }, null, 2));
    return opts.strict && !soakResult.flat ? 1 : 0;
  }
  const { text, json, targets: checked } = report(bench, profiles, spans);
  process.stdout.write(text + '\n');
  if (toolsRow) process.stdout.write(toolsRowText(toolsRow) + '\n');
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ ...(json as Record<string, unknown>), tools: toolsRow }, null, 2));
    process.stderr.write(`results written to ${opts.json}\n`);
  }
  const failed = checked.filter((c) => c.verdict === 'FAIL').length;
  if (failed) process.stderr.write(`${failed} target(s) FAIL${opts.strict ? ' (--strict: exit 1)' : ' (exit 0; --strict makes this exit 1)'}\n`);
  return opts.strict && failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
