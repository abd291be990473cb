import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { LoadShape, Pacing } from './load';

export type Tracing = 'on' | 'off' | 'both';

/** A commander argument parser for counts (1 or more). */
export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export interface Options {
  duration: number;
  warmup: number;
  quick: boolean;
  json?: string;
  scenarios?: string[];
  streaming: boolean;
  /** The ten-tool row (see tools-row.ts). */
  tools: boolean;
  /** Staggered instances per second in paced runs; undefined: one per request per second (evenly spaced arrivals). */
  slots: number | undefined;
  pacing: Pacing;
  logLevel: string;
  cpuProf?: string;
  model: string;
  busyCpus: boolean;
  /** on: the stack exports spans to a local OTLP sink; off: no endpoint; both: on, plus closed-128 runs tracing on / off / on to price it. */
  tracing: Tracing;
  refProxy: boolean;
  baselineRps?: number;
  soakMinutes?: number;
  strict: boolean;
  nodeOptions?: string;
  /** Extra environment for the six services (`--env KEY=VALUE`, repeatable), for what-if runs. */
  env: Record<string, string>;
}

export function parseOptions(argv: string[]): Options {
  const positive = (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
    return n;
  };
  const cmd = new Command('bench:gateway')
    .description('Latency, throughput, CPU and memory of the whole stack against provider-sim called directly and through a minimal reference proxy')
    .option('--duration <s>', 'seconds per measured run', positive)
    .option('--warmup <s>', 'seconds of warm-up per target and mode before measuring', positive)
    .option('--quick', 'short runs (2 s each, 1 s warm-up): a smoke run, not figures to quote', false)
    .option('--json <file>', 'also write the results as JSON to this file')
    .option('--scenarios <list>', 'comma-separated subset: paced-100,paced-300,paced-500,closed-1,closed-32,closed-128')
    .option('--no-streaming', 'skip the streaming (stream: true) runs')
    .option('--no-tools', 'skip the ten-tool row (closed-1 with and without ten tools in the request: what the tool policy adds)')
    .option('--no-ref-proxy', 'skip the reference proxy rows (plain node:http proxy in front of provider-sim)')
    .option('--tracing <mode>', 'on: spans exported to a local OTLP sink; off: no OTLP endpoint; both (default): on, plus closed-128 through the gateway with tracing on, off, on again, then request metrics off and on (services restarted in between) to price both', 'both')
    .option('--otlp', 'same as --tracing on (kept for old command lines)', false)
    .option('--baseline-rps <n>', 'closed-128 throughput of the old architecture on this machine, for the >= 1.5x target (e.g. 824)', positive)
    .option('--soak <minutes>', 'soak mode instead of the scenarios: paced 300 rps through the gateway for N minutes, latency and RSS per minute, RSS slope', positive)
    .option('--strict', 'exit with 1 when a target fails (default: always 0, a bench reports)', false)
    .option('--slots <n>', 'staggered autocannon instances per second for paced runs (default: the rate, one arrival every 1/rate s; 100 at 300 req/s sends 3 at a time)', positive)
    .option('--pacing <how>', 'paced runs: staggered (default) or autocannon (one instance, overallRate, 64 connections: bursts each second)', 'staggered')
    .option('--log-level <level>', 'CP_LOG_LEVEL of the services', 'warn')
    .option('--model <id>', 'provider/model asked of the gateway; the provider must speak the OpenAI wire (direct runs call provider-sim at /<provider>/v1)', 'qwen/qwen-turbo')
    .option('--busy-cpus', 'keep every core awake with a nice-19 spinner while measuring (shows the cost of idle-CPU wake-ups; see docs/performance.md)', false)
    .option('--node-options <flags>', 'NODE_OPTIONS for every service but provider-sim, for what-if runs (e.g. --stack-trace-limit=0)')
    .option('--env <KEY=VALUE>', 'environment for the six services, repeatable, for what-if runs (e.g. CP_SLO_PULL_INTERVAL_MS=250)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--cpu-prof <dir>', 'profile gateway, router and auditor (V8 sampling profiler) and summarise the samples inside the measured gateway runs')
    .parse(argv);
  const o = cmd.opts<{
    duration?: number; warmup?: number; quick: boolean; json?: string; scenarios?: string; streaming: boolean; tools: boolean; refProxy: boolean; tracing: string; otlp: boolean;
    baselineRps?: number; soak?: number; strict: boolean; slots?: number; pacing: string; logLevel: string; model: string; cpuProf?: string; busyCpus: boolean; nodeOptions?: string; env: string[];
  }>();
  const tracing = o.otlp ? 'on' : ['on', 'off', 'both'].includes(o.tracing) ? (o.tracing as Tracing) : invalid('--tracing', o.tracing);
  return {
    duration: o.duration ?? (o.quick ? 2 : 6),
    warmup: o.warmup ?? (o.quick ? 1 : 2),
    quick: o.quick,
    json: o.json,
    scenarios: o.scenarios?.split(',').map((s) => s.trim()).filter(Boolean),
    streaming: o.streaming,
    tools: o.tools,
    slots: o.slots,
    pacing: o.pacing === 'autocannon' ? 'autocannon' : o.pacing === 'staggered' ? 'staggered' : invalid('--pacing', o.pacing),
    logLevel: o.logLevel,
    model: o.model,
    cpuProf: o.cpuProf ? resolve(o.cpuProf) : undefined,
    busyCpus: o.busyCpus,
    tracing,
    refProxy: o.refProxy,
    baselineRps: o.baselineRps,
    soakMinutes: o.soak,
    strict: o.strict,
    nodeOptions: o.nodeOptions,
    env: Object.fromEntries(
      o.env.map((kv) => {
        const at = kv.indexOf('=');
        if (at <= 0) throw new Error(`--env wants KEY=VALUE, got ${kv}`);
        return [kv.slice(0, at), kv.slice(at + 1)];
      }),
    ),
  };
}

function invalid(flag: string, value: string): never {
  throw new InvalidArgumentError(`${flag}: unexpected value ${value}`);
}

export interface Scenario {
  name: string;
  shape: LoadShape;
  stream: boolean;
}

export const SHAPES: { name: string; shape: LoadShape }[] = [
  { name: 'paced-100', shape: { kind: 'paced', rate: 100 } },
  { name: 'paced-300', shape: { kind: 'paced', rate: 300 } },
  { name: 'paced-500', shape: { kind: 'paced', rate: 500 } },
  { name: 'closed-1', shape: { kind: 'closed', connections: 1 } },
  { name: 'closed-32', shape: { kind: 'closed', connections: 32 } },
  { name: 'closed-128', shape: { kind: 'closed', connections: 128 } },
];

/** The saturation scenario: CPU-per-request, throughput and tracing-cost targets are judged there. */
export const SATURATION = 'closed-128';
/** Name of the extra saturation runs that price tracing: on, off, on again (ABA, so drift cancels out). */
export const TRACING_AB = `${SATURATION} tracing A/B`;
export const METRICS_AB = `${SATURATION} metrics A/B`;

export function scenarios(opts: Options): Scenario[] {
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
