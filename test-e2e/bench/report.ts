import { cpus } from 'node:os';
import { STACK_SERVICES } from '@cp/shared/testing';
import { fmtMs, fmtUs, type Bench, type RunRecord } from './bench-run';
import { formatSummary, type ProfileSummary } from './cpuprofile-summary';
import { CLK_TCK } from './proc-stats';
import { METRICS_AB, TRACING_AB } from './options';
import { answered, checks, metricsAb, pairs, perReqUs, statusSummary, totalStackMs, type TargetCheck } from './targets';

const OTHER_SERVICES = STACK_SERVICES.filter((s) => !['gateway', 'router', 'auditor'].includes(s));

export function table(head: string[], rows: string[][], alignLeft = 2): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => (i < alignLeft ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const label = (r: RunRecord, mode: string) => (r.scenario === METRICS_AB ? (r.metrics ? 'gw metrics on' : 'gw metrics off') : r.scenario === TRACING_AB ? (r.tracing ? 'gw tracing on' : 'gw tracing off') : r.target === 'gateway' ? (r.tracing || mode === 'off' ? 'gateway' : 'gw tracing off') : r.target === 'proxy' ? 'ref proxy' : 'direct');


export function report(bench: Bench, profiles: (ProfileSummary & { cpuMs: number })[], spans?: { exports: number; spans: number }): { text: string; json: unknown; targets: TargetCheck[] } {
  const { records, opts, memory } = bench;
  const ps = pairs(records);
  const out: string[] = [];
  const tracingText = {
    on: 'tracing ON: OTLP endpoint set, spans exported to a local sink (default sampling: parentbased_always_on, every request)',
    both: 'tracing ON (spans exported to a local sink, default sampling parentbased_always_on = every request); at the end closed-128 through the gateway with tracing on / OFF / on (services restarted in between) to price it',
    off: 'tracing OFF: no OTLP endpoint (spans are non-recording)',
  }[opts.tracing];
  out.push('');
  out.push(`gateway benchmark: ${new Date().toISOString()}  ${cpus().length} cores (${cpus()[0]?.model ?? '?'})  node ${process.version}  CLK_TCK ${CLK_TCK}`);
  out.push(`${opts.quick ? 'QUICK run (smoke only)' : 'run'}: ${opts.duration} s per run, ${opts.warmup} s warm-up per target/mode; model ${opts.model}; services at CP_LOG_LEVEL=${opts.logLevel}${opts.busyCpus ? '; --busy-cpus: nice-19 spinners kept every core awake' : ''}${opts.cpuProf ? '; gateway/router/auditor under the CPU profiler (figures inflated)' : ''}${opts.nodeOptions ? `; services' NODE_OPTIONS=${opts.nodeOptions}` : ''}${Object.keys(opts.env).length > 0 ? `; services' env ${Object.entries(opts.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`);
  out.push(tracingText + (spans ? `; sink got ${spans.exports} exports, ${spans.spans} spans` : ''));
  out.push('targets: direct = provider-sim; ref proxy = minimal node:http keep-alive proxy (own process) in front of it; gateway = the whole stack');
  const pacing = opts.pacing === 'autocannon' ? "autocannon's overallRate on 64 connections (bursts each second)" : opts.slots === undefined ? 'one arrival every 1/rate s, evenly spaced' : `${opts.slots} staggered instances a second (rate/${opts.slots} arrivals at a time)`;
  out.push(`paced = open loop at a fixed arrival rate: ${pacing} (conns = rate); closed = N connections back to back`);
  out.push('latency = time to the last byte of 2xx answers, measured per request (sub-ms), nearest-rank percentiles');
  out.push('');
  out.push('Latency and throughput');
  out.push(
    table(
      ['scenario', 'target', 'conns', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx', 'errors', 'non-2xx codes'],
      records.map((r) => [r.scenario, label(r, opts.tracing), String(r.load.connections), r.load.rps.toFixed(0), fmtMs(r.load.p50), fmtMs(r.load.p90), fmtMs(r.load.p99), fmtMs(r.load.max), String(r.load.ok), String(r.load.non2xx), String(r.load.errors), statusSummary(r.load) || '-']),
    ),
  );
  out.push('');
  out.push('Added latency over direct (same scenario): the reference proxy is the floor, the gateway is what the control plane adds');
  out.push(
    table(
      ['scenario', 'proxy +p50 ms', 'proxy +p99 ms', 'gateway +p50 ms', 'gateway +p99 ms', 'proxy/direct req/s', 'gateway/direct req/s'],
      ps.map((p) => {
        const bad = p.gateway && p.gateway.load.ok === 0 ? `n/a (gateway ${statusSummary(p.gateway.load)})` : undefined;
        const px = p.direct && p.proxy ? [fmtMs(p.proxy.load.p50 - p.direct.load.p50), fmtMs(p.proxy.load.p99 - p.direct.load.p99)] : ['-', '-'];
        const ratio = (r?: RunRecord) => (p.direct && r ? (r.load.rps / p.direct.load.rps).toFixed(2) : '-');
        return [p.scenario, ...px, bad ?? fmtMs(p.addedP50), bad ? '' : fmtMs(p.addedP99), ratio(p.proxy), ratio(p.gateway)];
      }),
      1,
    ),
  );
  out.push('');
  out.push('CPU per request, us (utime+stime from /proc, over the run plus, for the gateway, the auditor catch-up)');
  out.push('  TOTAL = gateway + router + auditor + other services + nats-server + all postgres processes; provider-sim and the load generator are not in it');
  const simDirect = (r: RunRecord) => {
    const d = records.find((x) => x.target === 'direct' && x.scenario === r.scenario);
    return d ? perReqUs(d.cpuMs['provider-sim'], d) : NaN;
  };
  const ratio = (us: number, r: RunRecord) => (Number.isFinite(us / simDirect(r)) ? `${(us / simDirect(r)).toFixed(1)}x` : 'n/a');
  const rows = records.filter((r) => r.target !== 'direct');
  out.push(
    table(
      ['scenario', 'target', 'answers', 'gateway', 'router', 'auditor', 'other svc', 'nats*', 'pg run db', 'pg all*', 'ref proxy', 'TOTAL', 'sim', 'loadgen', 'TOTAL/sim direct'],
      rows.map((r) => {
        const gw = r.target === 'gateway';
        const us = (k: string) => (gw ? fmtUs(perReqUs(r.cpuMs[k], r)) : '-');
        const total = gw ? perReqUs(totalStackMs(r), r) : perReqUs(r.cpuMs['ref proxy'], r);
        return [
          r.scenario,
          label(r, opts.tracing),
          String(answered(r)),
          us('gateway'),
          us('router'),
          us('auditor'),
          gw ? fmtUs(perReqUs(OTHER_SERVICES.reduce((a, s) => a + (r.cpuMs[s] ?? 0), 0), r)) : '-',
          us('nats-server'),
          us('postgres (run db)'),
          us('postgres (all)'),
          gw ? '-' : fmtUs(perReqUs(r.cpuMs['ref proxy'], r)),
          fmtUs(total),
          fmtUs(perReqUs(r.cpuMs['provider-sim'], r)),
          fmtUs(perReqUs(r.cpuMs['load generator'], r)),
          ratio(total, r),
        ];
      }),
      2,
    ),
  );
  out.push('  ref proxy rows: TOTAL is the proxy process alone (its whole stack). TOTAL/sim direct = CPU per request over provider-sim\'s in the direct run');
  out.push('    of the same scenario (the issue\'s yardstick); per-request CPU depends heavily on the arrival pattern on this machine (docs/performance.md).');
  out.push('  * nats-server and postgres are shared machine-wide: their figures include anything else using them at the time.');
  out.push('');
  out.push('Reference: provider-sim called directly, us per request (and what the idle stack burns meanwhile)');
  out.push(
    table(
      ['scenario', 'answers', 'sim', 'loadgen', 'idle stack ms/s'],
      records.filter((r) => r.target === 'direct').map((r) => [r.scenario, String(answered(r)), fmtUs(perReqUs(r.cpuMs['provider-sim'], r)), fmtUs(perReqUs(r.cpuMs['load generator'], r)), ((totalStackMs(r) * 1000) / r.wallMs).toFixed(1)]),
      1,
    ),
  );
  out.push('');
  out.push('Interference check: machine CPU (from /proc/stat) that none of the measured processes used, and hypervisor steal, ms per second of run');
  out.push(
    table(
      ['scenario', 'target', 'other ms/s', 'steal ms/s'],
      records.map((r) => {
        const known = totalStackMs(r) + (r.cpuMs['provider-sim'] ?? 0) + (r.cpuMs['ref proxy'] ?? 0) + (r.cpuMs['load generator'] ?? 0);
        return [r.scenario, label(r, opts.tracing), (((r.cpuMs['machine busy'] - known) * 1000) / r.wallMs).toFixed(0), ((r.cpuMs['machine steal'] * 1000) / r.wallMs).toFixed(0)];
      }),
    ),
  );
  out.push('  (machine counters are tick-sampled, process counters exact: +-150 ms/s is noise; several hundred ms/s means something else ran, distrust that row)');
  out.push('');
  out.push('Peak memory (highest VmHWM seen after any run; nats-server is shared and long-running, so its peak predates this run)');
  out.push(table(['process', 'peak MiB', 'now MiB'], Object.entries(memory).map(([k, m]) => [k, m.hwmKb !== undefined ? (m.hwmKb / 1024).toFixed(1) : 'n/a', m.rssKb !== undefined ? (m.rssKb / 1024).toFixed(1) : 'n/a']), 1));
  out.push('');
  const cs = checks(ps, records.filter((r) => r.scenario === TRACING_AB), memory, opts, metricsAb(records));
  out.push('Targets (issue 13)');
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
    spans,
    runs: records.map((r) => ({ ...r, cpuUsPerRequest: Object.fromEntries(Object.entries(r.cpuMs).map(([k, ms]) => [k, perReqUs(ms, r)])), totalStackUsPerRequest: perReqUs(totalStackMs(r), r) })),
    added: ps.map((p) => ({ scenario: p.scenario, stream: p.stream, addedP50Ms: p.addedP50, addedP99Ms: p.addedP99 })),
    memory,
    targets: cs,
    profiles: profiles.map((p) => ({ ...p, selfByFunction: p.selfByFunction.slice(0, 40) })),
  };
  return { text: out.join('\n'), json, targets: cs };
}
