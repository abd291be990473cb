/**
 * `npm run bench:tracing`: what tracing at the default sampling costs the gateway per request, in
 * isolation. The whole-stack ABA of `bench:gateway` (tracing on / off / on, services restarted)
 * cannot resolve tens of µs on this machine: its runs differ by 90-330 µs from one to the next
 * (docs/performance.md). Here one process does only the gateway's tracing work for each request,
 * paced like a load, and its CPU is read with `process.cpuUsage()`: with tracing on (the real
 * `initTelemetry`: NodeSDK, batch processor, redacting exporter, OTLP/protobuf over HTTP to a sink in
 * a child process, whose CPU is not counted, as the gateway bench's sink is not) and off (no
 * endpoint: the API's no-op spans). Rounds alternate on and off in fresh processes; the cost is the
 * median on minus the median off.
 *
 * The work per request is the gateway's, through the same functions: the request's server span
 * (`startHttpServerSpan` / `endHttpServerSpan`, as the gateway's `onRequest` hook) with its request
 * id, the provider call's client span (`startProviderCallSpan` with `attemptAttributes`, the
 * `traceparent` injected into the provider request, the status code, `annotateOutcome`), and the
 * `traceparent` of the ledger event (`currentTraceparent`). It leaves out what tracing does to the rest of the gateway's
 * heap (spans that wait for their batch are promoted), so it is the floor of the cost.
 *
 * Options: `--rate <req/s>` (default 2000, about the gateway's closed-128 rate; 300 for the paced
 * target's rate), `--seconds <s>` per round (default 5), `--rounds <n>` per mode (default 3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Command, InvalidArgumentError } from 'commander';
import { BaseConfigSchema, loadConfig } from '@cp/shared/config';
import { annotateOutcome, attemptAttributes, startProviderCallSpan } from '@cp/router/data-plane';
import { context, CpAttr, currentTraceparent, endHttpServerSpan, initTelemetry, injectTraceHeaders, startHttpServerSpan, trace, type Tracer } from '@cp/shared/telemetry';

const LIMIT_US = 60;

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number');
  return n;
}

const USAGE = { prompt_tokens: 20, completion_tokens: 12, total_tokens: 32 };

/** One request's tracing work, through the gateway's own span functions. */
function traceOneRequest(tracer: Tracer, i: number): string | null {
  const requestId = `req-${i}`;
  const server = startHttpServerSpan(tracer, 'POST', '/v1/chat/completions');
  const ctx = trace.setSpan(context.active(), server);
  server.setAttribute(CpAttr.requestId, requestId);
  const client = startProviderCallSpan(tracer, { provider: 'qwen', model: 'qwen-turbo', attributes: attemptAttributes({ attempt: 1, breakerState: 'closed', failover: false, requestId }) }, { hostname: '127.0.0.1', port: 4010 }, ctx);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  injectTraceHeaders({ get: (k) => headers[k] ?? '', set: (k, v) => void (headers[k] = v), keys: () => Object.keys(headers) }, trace.setSpan(ctx, client));
  client.setAttribute('http.response.status_code', 200);
  annotateOutcome(client, { ok: true, usage: USAGE, responseModel: 'qwen-turbo' });
  client.end();
  const traceparent = context.with(ctx, () => currentTraceparent());
  endHttpServerSpan(server, 200);
  return traceparent;
}

/** The worker: paced tracing work for `seconds`, then its CPU per request on stdout (JSON). */
async function worker(on: boolean, sinkUrl: string, rate: number, seconds: number): Promise<void> {
  // The batch processor's settings as every service reads them (the OTEL_BSP_* defaults, or the environment's).
  const bsp = loadConfig(BaseConfigSchema.pick({ OTEL_BSP_SCHEDULE_DELAY: true, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: true, OTEL_BSP_MAX_QUEUE_SIZE: true }));
  const telemetry = initTelemetry({
    serviceName: 'gateway',
    serviceVersion: 'bench',
    otlpEndpoint: on ? sinkUrl : undefined,
    contextPropagation: 'explicit',
    spanBatches: { scheduledDelayMillis: bsp.OTEL_BSP_SCHEDULE_DELAY, maxExportBatchSize: bsp.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, maxQueueSize: bsp.OTEL_BSP_MAX_QUEUE_SIZE },
  });
  let i = 0;
  let traced = 0;
  for (; i < 20_000; i++) if (traceOneRequest(telemetry.tracer, i)) traced++;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = process.cpuUsage();
  const started = Date.now();
  let requests = 0;
  // Every 5 ms, the requests of those 5 ms: the batch processor's timer and exports run as they would.
  const perTick = rate / 200;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      for (let k = 0; k < perTick; k++, requests++) if (traceOneRequest(telemetry.tracer, i++)) traced++;
      if (Date.now() - started >= seconds * 1000) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  // The last batch's export is part of the cost.
  await new Promise((resolve) => setTimeout(resolve, 400));
  const cpu = process.cpuUsage(before);
  await telemetry.shutdown();
  // With tracing on every request has a traceparent; off, none: a check that the mode took effect.
  process.stdout.write(JSON.stringify({ us: (cpu.user + cpu.system) / requests, requests, traced: traced > 0 }) + '\n');
}

/** A sink for the exports in its own process: it reads each body and answers 200. */
function startSink(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end())}).listen(0,'127.0.0.1',function(){process.send(this.address().port)})"], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the OTLP sink did not start within 10 s')), 10_000);
    child.once('message', (port) => {
      clearTimeout(timer);
      resolve({ url: `http://127.0.0.1:${String(port)}`, child });
    });
    child.once('error', reject);
  });
}

function runRound(on: boolean, sinkUrl: string, rate: number, seconds: number): Promise<{ us: number; requests: number; traced: boolean }> {
  const child = spawn(process.execPath, [__filename, '--worker', on ? 'on' : 'off', '--sink', sinkUrl, '--rate', String(rate), '--seconds', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`a ${on ? 'tracing-on' : 'tracing-off'} round did not finish within ${seconds + 30} s`));
    }, (seconds + 30) * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`a ${on ? 'tracing-on' : 'tracing-off'} round exited with ${String(code)}`));
      resolve(JSON.parse(out) as { us: number; requests: number; traced: boolean });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<number> {
  const program = new Command('bench:tracing')
    .option('--rate <n>', 'requests per second', positive, 2000)
    .option('--seconds <n>', 'seconds per round', positive, 5)
    .option('--rounds <n>', 'rounds per mode', positive, 3)
    .option('--worker <mode>', 'internal: run one round (on | off)')
    .option('--sink <url>', 'internal: the sink of a round')
    .parse();
  const o = program.opts<{ rate: number; seconds: number; rounds: number; worker?: string; sink?: string }>();
  if (o.worker) {
    await worker(o.worker === 'on', o.sink ?? '', o.rate, o.seconds);
    return 0;
  }
  const sink = await startSink();
  try {
    const on: number[] = [];
    const off: number[] = [];
    process.stderr.write(`tracing cost: ${o.rounds} rounds per mode, alternating, ${o.seconds} s each at ${o.rate} req/s\n`);
    for (let r = 0; r < o.rounds; r++) {
      for (const mode of [false, true]) {
        const round = await runRound(mode, sink.url, o.rate, o.seconds);
        if (round.traced !== mode) throw new Error(`a tracing-${mode ? 'on' : 'off'} round ${round.traced ? 'recorded' : 'did not record'} spans`);
        (mode ? on : off).push(round.us);
        process.stderr.write(`  round ${r + 1} tracing ${mode ? 'on ' : 'off'}: ${round.us.toFixed(1)} µs of CPU per request (${round.requests} requests)\n`);
      }
    }
    const cost = median(on) - median(off);
    process.stdout.write(`tracing cost in isolation @ ${o.rate} req/s: ${cost.toFixed(1)} µs per request (median on ${median(on).toFixed(1)} [${on.map((x) => x.toFixed(1)).join(', ')}], median off ${median(off).toFixed(1)} [${off.map((x) => x.toFixed(1)).join(', ')}]); limit ${LIMIT_US} µs: ${cost <= LIMIT_US ? 'PASS' : 'FAIL'} (the floor: the effect on the rest of the gateway's heap is not in it)\n`);
    return 0;
  } finally {
    sink.child.kill();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:tracing failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
