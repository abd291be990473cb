import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { Stack, STACK_SERVICES, TEST_PG_URL, type StackService } from '@cp/shared/testing';
import { runLoad, sleep, type LoadResult, type Target } from './load';
import type { Options, Scenario } from './options';
import { cpuDeltaMs, machineCpuMs, pgrep, sampleCpu, statusKb, type ProcGroup } from './proc-stats';

export type TargetName = 'direct' | 'proxy' | 'gateway';

export interface RunRecord {
  scenario: string;
  target: TargetName;
  stream: boolean;
  /** Whether the stack exported spans during this run. */
  tracing: boolean;
  /** Whether finished requests fed the gateway's Prometheus series (`CP_GATEWAY_METRICS`). */
  metrics: boolean;
  load: LoadResult;
  /** CPU ms per process group over the run (for gateway runs also the auditor's catch-up). */
  cpuMs: Record<string, number>;
  wallMs: number;
  /** Monotonic window of the run, µs (same clock as V8's profile timestamps). */
  windowUs: [number, number];
}

export const nowUs = () => Number(process.hrtime.bigint() / 1000n);

const MESSAGES = [
  { role: 'system', content: 'You are a concise assistant for an engineering team.' },
  { role: 'user', content: 'Summarise in two sentences why connection pooling lowers tail latency under load.' },
];

/**
 * The gateway request, and the request the gateway sends provider-sim for it (same body, so the sim does
 * the same work), sent to the sim directly and through the reference proxy.
 */
export function targets(stack: Stack, model: string, proxyUrl?: string): Record<TargetName, (stream: boolean) => Target> {
  const providerModel = model.slice(model.indexOf('/') + 1);
  const instance = model.slice(0, model.indexOf('/'));
  const sim = (base: string) => (stream: boolean) => ({
    url: `${base}/${instance}/v1/chat/completions`,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-sim' },
    body: JSON.stringify({ model: providerModel, messages: MESSAGES, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) }),
  });
  return {
    direct: sim(stack.simUrl),
    proxy: sim(proxyUrl ?? stack.simUrl),
    gateway: (stream) => ({
      url: `${stack.gatewayUrl}/v1/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ model, messages: MESSAGES, ...(stream ? { stream: true } : {}) }),
    }),
  };
}

/** A Stack whose services can be restarted with tracing switched on or off. */
export class BenchStack extends Stack {
  constructor(
    opts: ConstructorParameters<typeof Stack>[0],
    private readonly otlpUrl?: string,
  ) {
    super(opts);
  }

  get tracing(): boolean {
    return Boolean(this.env.OTEL_EXPORTER_OTLP_ENDPOINT);
  }

  get metrics(): boolean {
    return this.env.CP_GATEWAY_METRICS !== 'off';
  }

  /** Restarts the six services (not provider-sim) with or without the OTLP endpoint, and with or without request metrics. */
  async restartServices(tracing: boolean, metrics = true): Promise<void> {
    for (const s of STACK_SERVICES) await this.stopService(s);
    if (tracing && this.otlpUrl) this.env.OTEL_EXPORTER_OTLP_ENDPOINT = this.otlpUrl;
    else delete this.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    this.env.CP_GATEWAY_METRICS = metrics ? 'on' : 'off';
    for (const s of STACK_SERVICES) this.spawn(s);
    await this.waitHealthy();
  }
}

export const MEMORY_SKIP = ['load generator', 'postgres (run db)', 'postgres (all)'];

export class Bench {
  private pg!: Client;
  private nc!: NatsConnection;
  private jsm!: JetStreamManager;
  private runDbBackends: number[] = [];
  readonly records: RunRecord[] = [];
  groups: ProcGroup[] = [];
  /** Highest VmHWM and VmRSS seen per process group (services restarted mid-run keep their earlier peak). */
  readonly memory: Record<string, { hwmKb?: number; rssKb?: number }> = {};

  constructor(
    readonly stack: BenchStack,
    readonly opts: Options,
    private readonly proxyPid: () => number | undefined = () => undefined,
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
      { name: 'ref proxy', pids: () => [this.proxyPid()].filter((p): p is number => p !== undefined) },
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

  /** Current RSS in MiB of every process group that has one pid (services, sim, proxy, nats-server). */
  rssMiB(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const g of this.groups) {
      if (MEMORY_SKIP.includes(g.name)) continue;
      const pids = g.pids();
      if (pids.length !== 1) continue;
      const kb = statusKb(pids[0], 'VmRSS');
      if (kb !== undefined) out[g.name] = kb / 1024;
    }
    return out;
  }

  notePeaks(): void {
    for (const g of this.groups) {
      if (MEMORY_SKIP.includes(g.name)) continue;
      // Services, provider-sim and the proxy are one process each; nats-server may be several (other sessions').
      const single = !['nats-server'].includes(g.name);
      for (const pid of g.pids()) {
        const key = single ? g.name : `${g.name} ${pid}`;
        const m = (this.memory[key] ??= {});
        const hwm = statusKb(pid, 'VmHWM');
        const rss = statusKb(pid, 'VmRSS');
        if (hwm !== undefined) m.hwmKb = Math.max(m.hwmKb ?? 0, hwm);
        if (rss !== undefined) m.rssKb = rss;
      }
    }
    const lg = (this.memory['load generator'] ??= {});
    lg.hwmKb = statusKb(process.pid, 'VmHWM');
    lg.rssKb = statusKb(process.pid, 'VmRSS');
  }

  async run(sc: Scenario, target: TargetName, t: Target): Promise<RunRecord> {
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
    this.notePeaks();
    const rec: RunRecord = { scenario: sc.name, target, stream: sc.stream, tracing: this.stack.tracing, metrics: this.stack.metrics, load, cpuMs, wallMs, windowUs: [t0, t1] };
    this.records.push(rec);
    const tag = target === 'gateway' && this.opts.tracing === 'both' ? (rec.tracing ? ' (tracing on)' : ' (tracing off)') : '';
    // The gateway's peak so far (VmHWM only grows): which scenario raised it shows in the progress.
    const gwPeak = target === 'gateway' && this.memory.gateway?.hwmKb !== undefined ? `  gateway peak ${(this.memory.gateway.hwmKb / 1024).toFixed(0)} MiB` : '';
    process.stderr.write(`  ${sc.name.padEnd(18)} ${(target + tag).padEnd(8)} ${load.rps.toFixed(0).padStart(6)} req/s  p50 ${fmtMs(load.p50)}  p99 ${fmtMs(load.p99)}  2xx ${load.ok}  non-2xx ${load.non2xx}  errors ${load.errors}${gwPeak}\n`);
    return rec;
  }
}

export const fmtMs = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
export const fmtUs = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');

/** One request to the target; it must be answered and must reach the provider-sim instance the direct runs use. */
export async function preflight(name: string, t: Target, stream: boolean, simUrl: string, instance: string): Promise<void> {
  const served = async () => ((await (await fetch(`${simUrl}/_sim/instances/${instance}/stats`)).json()) as { requests: number }).requests;
  const before = await served();
  const res = await fetch(t.url, { method: 'POST', headers: t.headers, body: t.body });
  const text = await res.text();
  const reached = (await served()) > before;
  const ok = res.ok && reached && (stream ? text.includes('[DONE]') : text.includes('"echo: '));
  process.stderr.write(`preflight ${name}${stream ? ' stream' : ''}: HTTP ${res.status}${ok ? ' ok' : ` UNEXPECTED${reached ? '' : ` (provider-sim instance ${instance} not called)`}: ${text.slice(0, 200)}`}\n`);
  if (!stream && !ok) throw new Error(`${name} does not answer a plain completion through provider-sim instance ${instance}; nothing to compare`);
}
