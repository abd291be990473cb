import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Client } from 'pg';
import { waitFor, type PrivateNatsServer, type SupervisedStack } from '@cp/shared/testing';
import { newId } from '@cp/shared/contracts';
import type { simControl } from '../../support/e2e-kit';
import type { TcpProxy } from './fault-infra';
import { check, type Check } from './invariants';
import type { Answer, SteadyLoad } from './steady-load';

export interface FaultCtx {
  stack: SupervisedStack;
  nats: PrivateNatsServer;
  pg: TcpProxy;
  db: Client;
  sim: ReturnType<typeof simControl>;
  load: SteadyLoad;
  /** One request of the scenario itself (recorded with the scenario's answers). */
  chat(body: unknown): Promise<Answer>;
  get(path: string): Promise<any>;
  /** A service's active resources by kind (timers, sockets), from its health RPC over NATS. */
  resources(service: string): Promise<Record<string, number>>;
  /** The ledger payload of one request, once stored. */
  ledger(id: string): Promise<any>;
  breakerResetMs: number;
  firstByteMs: number;
  /** The provider registry file the services use (the router watches it). */
  registryFile: string;
}

export interface ScenarioResult {
  happened: string;
  checks: Check[];
}

export interface Scenario {
  name: string;
  injection: string;
  /** The scenario kills the process holding some connections: a lost connection is allowed there. */
  connectionLossAllowed?: boolean;
  run(ctx: FaultCtx): Promise<ScenarioResult>;
}

/** Every simulated provider instance of the shipped registry. */
export const SIM_INSTANCES = ['qwen', 'openai', 'gemini', 'claude', 'kimi', 'glm', 'minimax', 'local'];
const PRIMARY = 'qwen/qwen3-235b-a22b';
const ask = (content: string, model = PRIMARY, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content }], ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends until `served(answer)` or `tries` run out; returns the answers. */
async function until(ctx: FaultCtx, body: unknown, served: (a: Answer) => boolean, tries = 20, everyMs = 250): Promise<Answer[]> {
  const out: Answer[] = [];
  for (let i = 0; i < tries; i++) {
    const a = await ctx.chat(body);
    out.push(a);
    if (served(a)) break;
    await sleep(everyMs);
  }
  return out;
}

/** One request every 200 ms for 5 s (while something is away). */
async function forFiveSeconds(ctx: FaultCtx, text: string): Promise<Answer[]> {
  const during: Answer[] = [];
  for (const until = Date.now() + 5000; Date.now() < until; await sleep(200)) during.push(await ctx.chat(ask(text, 'openai/gpt-4o-mini')));
  return during;
}

const servedBy = (model: string) => (a: Answer) => a.status === 200 && a.body?.model === model;

/** Open file descriptors of a process: sockets left behind by a fault show up here. */
function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}

async function killAndAwaitRestart(ctx: FaultCtx, program: string): Promise<{ ok: boolean; ms: number; detail: string }> {
  const before = await ctx.stack.pid(program);
  const started = Date.now();
  process.kill(before, 'SIGKILL');
  try {
    const after = await waitFor(`${program} restarted`, async () => {
      const pid = await ctx.stack.pid(program).catch(() => 0);
      return pid !== 0 && pid !== before ? pid : undefined;
    }, 30_000, 100);
    await ctx.stack.waitHealthy(30_000);
    return { ok: true, ms: Date.now() - started, detail: `pid ${before} -> ${after}` };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, detail: (err as Error).message };
  }
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'provider fails 3x',
    injection: 'qwen answers 503',
    async run(ctx) {
      await ctx.sim.fault('qwen', { type: 'status', status: 503 });
      const calls0 = await ctx.sim.requests('qwen');
      const answers: Answer[] = [];
      for (let i = 0; i < 6; i++) answers.push(await ctx.chat(ask(`fails ${i}`)));
      const calls = (await ctx.sim.requests('qwen')) - calls0;
      const skipped = (await ctx.ledger(answers[5].id)).trail.attempts[0];
      await ctx.sim.clear('qwen');
      await sleep(ctx.breakerResetMs + 100);
      const healing = await until(ctx, ask('healed?'), servedBy('qwen3-235b-a22b'));
      return {
        happened: `${calls} calls to qwen, then skipped; fallback ${answers[0].body?.model}; healed after ${healing.length} request(s)`,
        checks: [
          check('fallback served every request', answers.every((a) => a.status === 200 && a.body?.model !== 'qwen3-235b-a22b')),
          check('breaker opened after 3 failures (no more calls)', calls === 3, `${calls} calls`),
          check('open breaker skipped in the trail', skipped?.errorClass === 'breaker_open', JSON.stringify(skipped)),
          check('auto-heal: qwen serves again after the reset time', healing.some(servedBy('qwen3-235b-a22b'))),
        ],
      };
    },
  },
  {
    name: 'backend hangs',
    injection: 'qwen accepts, never answers',
    async run(ctx) {
      const pids = { router: await ctx.stack.pid('router'), gateway: await ctx.stack.pid('gateway') };
      const fds0 = { router: openFds(pids.router), gateway: openFds(pids.gateway) };
      const timers0 = (await ctx.resources('gateway')).Timeout ?? 0;
      await ctx.sim.fault('qwen', { type: 'hang' });
      const answers: Answer[] = [];
      for (let i = 0; i < 4; i++) answers.push(await ctx.chat(ask(`hang ${i}`)));
      await ctx.sim.clear('qwen');
      await sleep(ctx.breakerResetMs + 100);
      await until(ctx, ask('back?'), servedBy('qwen3-235b-a22b'));
      await sleep(500);
      const fds1 = { router: openFds(pids.router), gateway: openFds(pids.gateway) };
      const timers1 = (await ctx.resources('gateway')).Timeout ?? 0;
      const slowest = Math.max(...answers.map((a) => a.ms));
      const leaked = Math.max(fds1.router - fds0.router, fds1.gateway - fds0.gateway);
      return {
        happened: `served by ${answers[0].body?.model}, slowest ${Math.round(slowest)} ms (first-byte ${ctx.firstByteMs} ms); fds ${JSON.stringify(fds0)} -> ${JSON.stringify(fds1)}; gateway timers ${timers0} -> ${timers1}`,
        checks: [
          check('every request served by the fallback', answers.every((a) => a.status === 200)),
          check('each costs at most one first-byte timeout', slowest < ctx.firstByteMs + 2000, `${Math.round(slowest)} ms`),
          check('no leaked sockets', leaked <= 8, `+${leaked} fds`),
          check('no leaked timers', timers1 - timers0 <= 5, `${timers0} -> ${timers1}`),
        ],
      };
    },
  },
  {
    name: 'every provider down',
    injection: 'all 8 sim providers answer 503, then openai returns',
    async run(ctx) {
      for (const p of SIM_INSTANCES) await ctx.sim.fault(p, { type: 'status', status: 503 });
      const down = await ctx.chat(ask('anyone?', 'auto'));
      await ctx.sim.clear('openai');
      await sleep(ctx.breakerResetMs + 100);
      const back = await until(ctx, ask('anyone now?', 'auto'), (a) => a.status === 200, 30);
      for (const p of SIM_INSTANCES) await ctx.sim.clear(p);
      await sleep(ctx.breakerResetMs + 100);
      return {
        happened: `${down.status} "${String(down.body?.error?.message ?? '').slice(0, 70)}…"; served again after ${back.length} request(s) by ${back.at(-1)?.body?.model}`,
        checks: [
          check('a clear 503 naming what was tried', down.status === 503 && down.kind === 'clear-error' && /tried: .*\//.test(down.body?.error?.message ?? '')),
          check('recovery when one provider returns', back.at(-1)?.status === 200),
        ],
      };
    },
  },
  {
    name: 'stream cut mid-way',
    injection: 'qwen cuts its SSE after 2 chunks',
    async run(ctx) {
      await ctx.sim.fault('qwen', { type: 'cut_stream', afterChunks: 2 });
      const cut = await ctx.chat(ask('a long enough answer to be cut in the middle of its stream', PRIMARY, { stream: true }));
      await ctx.sim.clear('qwen');
      const event = await ctx.ledger(cut.id);
      return {
        happened: `status ${cut.status}, ${cut.kind}; ledger outcome ${event.outcome}`,
        checks: [
          check('the client sees an error event, never [DONE]', cut.kind === 'clear-error' && !String(cut.body).includes('[DONE]')),
          check('the ledger says incomplete', event.outcome === 'incomplete'),
        ],
      };
    },
  },
  {
    name: 'unresolvable host',
    injection: "ghost's host does not resolve (ENOTFOUND)",
    async run(ctx) {
      const answers: Answer[] = [];
      for (let i = 0; i < 5; i++) answers.push(await ctx.chat(ask(`ghost ${i}`, 'ghost/ghost-1')));
      const first = (await ctx.ledger(answers[0].id)).trail.attempts[0];
      const last = (await ctx.ledger(answers[4].id)).trail.attempts[0];
      return {
        happened: `first attempt: ${first?.errorClass} (${String(first?.message ?? '').slice(0, 50)}); served by ${answers[0].body?.model}; later: ${last?.errorClass}`,
        checks: [
          check('every request served by the fallback', answers.every((a) => a.status === 200 && a.body?.model !== 'ghost-1')),
          check('a connection failure naming ENOTFOUND', first?.errorClass === 'connection' && /ENOTFOUND/.test(first?.message ?? ''), JSON.stringify(first)),
          check('breaker open after 3, then skipped', last?.errorClass === 'breaker_open', JSON.stringify(last)),
        ],
      };
    },
  },
  {
    name: 'NATS restarted',
    injection: 'nats-server stopped for 5 s under load, then started',
    async run(ctx) {
      const from = ctx.load.answers.length;
      await ctx.nats.kill('SIGTERM');
      const during = await forFiveSeconds(ctx, 'during the outage');
      const healthDuring = await ctx.get('/health');
      await ctx.nats.start();
      await ctx.stack.waitHealthy(30_000);
      const healthAfter = await ctx.get('/health');
      await ctx.load.settle();
      const slowest = Math.max(...during.map((a) => a.ms));
      const served = during.filter((a) => a.status === 200).length;
      return {
        happened: `${served}/${during.length} served during the outage, slowest ${Math.round(slowest)} ms; background ${ctx.load.answers.length - from} requests`,
        checks: [
          check('requests during the outage answered within 5 s', slowest < 5000, `${Math.round(slowest)} ms`),
          check('requests during the outage served (200)', served === during.length, `${served}/${during.length}`),
          check('/health shows the outage, then the recovery', healthDuring.status === 'degraded' && healthDuring.nats?.connected === false && healthAfter.nats?.connected === true && healthAfter.nats?.outages >= 1, JSON.stringify({ during: healthDuring.nats, after: healthAfter.nats })),
        ],
      };
    },
  },
  {
    name: 'Postgres away',
    injection: 'connections killed; then unreachable for 5 s',
    async run(ctx) {
      const killed = ctx.pg.killConnections();
      const afterKill = await ctx.chat(ask('after the kill', 'openai/gpt-4o-mini'));
      await ctx.pg.cut();
      const during = await forFiveSeconds(ctx, 'postgres away');
      await ctx.pg.restore();
      const served = during.filter((a) => a.status === 200).length;
      return {
        happened: `${killed} connections killed; ${served}/${during.length} served while unreachable`,
        checks: [
          check('served after the connections were killed', afterKill.status === 200),
          check('served while Postgres is unreachable', served === during.length, `${served}/${during.length}`),
        ],
      };
    },
  },
  ...(['router', 'auditor'] as const).map(
    (program): Scenario => ({
      name: `${program} SIGKILL`,
      injection: `kill -9 the ${program} under load`,
      async run(ctx) {
        const r = await killAndAwaitRestart(ctx, program);
        const after = await ctx.chat(ask(`after the ${program} died`, 'openai/gpt-4o-mini'));
        return {
          happened: `${r.detail}; healthy again after ${r.ms} ms`,
          checks: [check('restarted by the supervisor, healthy', r.ok, r.detail), check('serving after it', after.status === 200)],
        };
      },
    }),
  ),
  {
    name: 'gateway SIGKILL',
    injection: 'kill -9 the gateway under load, 5 requests waiting on a slow provider',
    connectionLossAllowed: true,
    async run(ctx) {
      // Five requests that are surely at a provider when the gateway dies: claude answers after 3 s.
      await ctx.sim.fault('claude', { type: 'latency', ms: 3000 });
      const atProvider0 = await ctx.sim.requests('claude');
      const held = Array.from({ length: 5 }, (_, i) => ctx.chat(ask(`held ${i}`, 'claude/claude-sonnet-4-5')));
      await waitFor('5 requests at the provider', async () => ((await ctx.sim.requests('claude')) - atProvider0 >= 5 ? true : undefined), 10_000, 20);
      const r = await killAndAwaitRestart(ctx, 'gateway');
      const lost = await Promise.all(held);
      await ctx.sim.clear('claude');
      const events: any[] = [];
      for (const a of lost) events.push(await ctx.ledger(a.id).catch(() => undefined));
      const after = await ctx.chat(ask('after the gateway died', 'openai/gpt-4o-mini'));
      return {
        happened: `${r.detail}; healthy again after ${r.ms} ms; held requests: ${lost.map((a) => a.kind).join(',')}; ledger: ${events.map((e) => e?.outcome ?? 'none').join(',')}`,
        checks: [
          check('restarted by the supervisor, healthy', r.ok, r.detail),
          check('serving after it', after.status === 200),
          check('requests at a provider when it died are in the ledger (abandoned)', events.every((e) => e?.outcome === 'abandoned' && e?.status === 0)),
        ],
      };
    },
  },
  {
    name: 'poison event',
    injection: 'an event with a NUL published to the stream',
    async run(ctx) {
      const parked0 = (await ctx.get('/v1/audit/status')).parked as number;
      const nc = await connect({ servers: ctx.nats.url });
      try {
        const poison = { id: newId(), type: 'test.poisoned', version: 1, streamId: 'poison', source: 'bench', occurredAt: new Date().toISOString(), correlationId: 'poison', causationId: null, traceparent: null, payload: { text: 'a\u0000b' } };
        await jetstream(nc).publish(`${ctx.stack.iso.namespace}.cp.test.poisoned.v1`, JSON.stringify(poison));
      } finally {
        await nc.close();
      }
      let parked = parked0;
      await waitFor('parked', async () => ((parked = (await ctx.get('/v1/audit/status')).parked) > parked0 ? true : undefined), 20_000).catch(() => undefined);
      return { happened: `parked ${parked0} -> ${parked}`, checks: [check('parked with its reason, the ledger goes on', parked === parked0 + 1)] };
    },
  },
  {
    name: 'config made invalid',
    injection: 'providers.yaml made invalid, truncated, empty (gateway restarted meanwhile), then changed validly',
    connectionLossAllowed: true,
    async run(ctx) {
      const original = readFileSync(ctx.registryFile, 'utf8');
      const rejections = async () => Number((await ctx.db.query(`SELECT count(*)::int AS n FROM events WHERE type = 'router.registry-rejected'`)).rows[0].n);
      const r0 = await rejections();
      const served: Answer[] = [];
      for (const bad of ['providers: [ { id: qwen, wire: [', original.slice(0, Math.floor(original.length / 2)), '']) {
        const before = await rejections();
        writeFileSync(ctx.registryFile, bad);
        await waitFor('the change refused', async () => ((await rejections()) > before ? true : undefined), 10_000).catch(() => undefined);
        served.push(await ctx.chat(ask('still served?', 'openai/gpt-4o-mini')));
      }
      const reasons = (await ctx.db.query(`SELECT payload->>'reason' AS reason FROM events WHERE type = 'router.registry-rejected' ORDER BY position DESC LIMIT 3`)).rows.map((r: { reason: string }) => r.reason);
      // A gateway restarted while the file is empty serves the last version the router published.
      const restart = await killAndAwaitRestart(ctx, 'gateway');
      const afterRestart = await ctx.chat(ask('after a restart with an empty file', 'openai/gpt-4o-mini'));
      // A valid change takes effect everywhere without a restart.
      const doc = parse(original) as { providers: { id: string; models: Record<string, unknown>[] }[] };
      const openai = doc.providers.find((p) => p.id === 'openai')!;
      openai.models.push({ ...openai.models[0], id: 'gpt-4o-bench' });
      writeFileSync(ctx.registryFile, stringify(doc));
      const listed = await waitFor('the new model listed', async () => ((await ctx.get('/v1/models')).data?.some((m: { id: string }) => m.id === 'openai/gpt-4o-bench') ? true : undefined), 10_000).catch(() => false);
      const newModel = await until(ctx, ask('new model', 'openai/gpt-4o-bench'), (a) => a.status === 200, 20);
      writeFileSync(ctx.registryFile, original);
      await sleep(1500);
      return {
        happened: `${(await rejections()) - r0} refusals ("${(reasons.at(-1) ?? '').slice(0, 40)}…"); served ${served.filter((a) => a.status === 200).length}/3; gateway restart with an empty file: ${afterRestart.status}; new model: ${newModel.at(-1)?.status}`,
        checks: [
          check('each bad file refused with a message', (await rejections()) - r0 >= 3, reasons.join(' | ').slice(0, 300)),
          check('last good config kept: still served', served.every((a) => a.status === 200)),
          check('a gateway restarted meanwhile serves the last good version', restart.ok && afterRestart.status === 200, restart.detail),
          check('a valid change takes effect without a restart', listed === true && newModel.at(-1)?.status === 200),
        ],
      };
    },
  },
  {
    name: '10k requests, burst 500',
    injection: '500 at once, then 9,500 over 64 connections',
    async run(ctx) {
      const pid = await ctx.stack.pid('gateway');
      const body = ask('burst', 'openai/gpt-4o-mini');
      const burst = await Promise.all(Array.from({ length: 500 }, () => ctx.chat(body)));
      const rssAfterBurst = rssMiB(pid);
      const rest: Answer[] = [];
      let left = 9500;
      let rssMid = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (left > 0) {
            left--;
            rest.push(await ctx.chat(body));
            if (rest.length === 5000) rssMid = rssMiB(pid);
          }
        }),
      );
      const rssEnd = rssMiB(pid);
      const all = [...burst, ...rest];
      const undocumented = all.filter((a) => a.status >= 500 && a.status !== 503);
      const ok = all.filter((a) => a.status === 200).length;
      return {
        happened: `${ok}/${all.length} served; RSS ${rssAfterBurst} -> ${rssMid} -> ${rssEnd} MiB`,
        checks: [
          check('no 5xx beyond the documented 503', undocumented.length === 0, `${undocumented.length}`),
          check('memory steady (end within 40 MiB of the middle)', rssEnd - rssMid <= 40, `${rssMid} -> ${rssEnd} MiB`),
        ],
      };
    },
  },
];
