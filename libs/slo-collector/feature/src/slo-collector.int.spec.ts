import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { Pool } from 'pg';
import { RequestCompleted, type PayloadOf } from '@cp/shared/contracts';
import { migrate } from '@cp/shared/event-store';
import { NatsBus } from '@cp/shared/messaging';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { createLogger, trace } from '@cp/shared/telemetry';
import { dropIsolation, freePort, newIsolation, waitFor } from '@cp/shared/testing';
import { DEFAULT_ALERT_RULES, defaultTargets, OVERALL, TimeScale } from '@cp/slo-collector/domain';
import { AlertWebhook } from './alert-webhook';
import { ProjectionStore } from './projection-store';
import { SloCollector } from './slo-collector.service';
import { StreamConsumer } from './stream-consumer';

const logger = createLogger('slo-test', 'silent');

function completed(i: number, fallback: boolean): PayloadOf<typeof RequestCompleted> {
  const attempts = [...(fallback ? [{ provider: 'qwen', model: 'q', outcome: 'error' as const, errorClass: 'server', latencyMs: 3 }] : []), { provider: 'gemini', model: 'g', outcome: 'ok' as const, latencyMs: 3 }];
  return { requestId: `r${i}`, status: 200, outcome: 'ok', stream: false, timings: { receivedAt: new Date().toISOString(), totalMs: 12 }, trail: { route: { route: 'full' }, attempts, failover: fallback } };
}

describe('SloCollector (real JetStream and Postgres)', () => {
  const iso = newIsolation('slo');
  const pool = new Pool({ connectionString: iso.databaseUrl, max: 2 });
  let bus: NatsBus;
  let rt: ServiceRuntime;
  const settings = { time: new TimeScale(1), targets: defaultTargets(), recoveryGraceMs: 1_800_000 };
  const timers = { evalIntervalMs: 60_000, saveIntervalMs: 100, pullIntervalMs: 100, heartbeatCheckMs: 60_000 };
  const collector = () => new SloCollector(rt, new ProjectionStore(pool, 'slo-collector'), settings, DEFAULT_ALERT_RULES, [], timers, undefined);

  beforeAll(async () => {
    await migrate(iso.databaseUrl);
    bus = await NatsBus.connect({ servers: iso.natsUrl, service: 'test', namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test') });
    await bus.ensureEventStream();
    rt = { bus, logger } as unknown as ServiceRuntime;
  });

  afterAll(async () => {
    await bus.close();
    await pool.end();
    await dropIsolation(iso);
  });

  const served = (c: SloCollector) => c.projection.value(OVERALL, 'degradation_rate', '1h', Date.now()).events;

  it('given requests and a poison message, then the requests are counted, the poison is parked, and after a restart nothing is counted twice', async () => {
    const first = collector();
    await first.start();
    for (let i = 0; i < 4; i++) bus.publish(RequestCompleted, completed(i, i === 0), { streamId: `request:${i}`, correlationId: `r${i}` });
    await bus.js.publish(bus.subject('cp.gateway.request-completed.v1'), new TextEncoder().encode('{"not":"an envelope"'));
    bus.publish(RequestCompleted, { ...completed(9, false), status: 'two hundred' } as unknown as PayloadOf<typeof RequestCompleted>, { streamId: 'request:9', correlationId: 'r9' });
    await waitFor('4 requests applied', async () => (served(first) === 4 ? true : undefined));
    await waitFor('2 messages parked', async () => ((await bus.deadLetters.list(0, 10)).parked.length === 2 ? true : undefined));
    const parked = (await bus.deadLetters.list(0, 10)).parked.map((p) => p.reason);
    expect(parked).toEqual(['not an event envelope (not JSON)', expect.stringMatching(/^could not apply gateway.request-completed/)]);
    expect(first.projection.value(OVERALL, 'degradation_rate', '1h', Date.now())).toMatchObject({ value: 0.25, events: 4 });
    await first.stop();

    // A restart: the saved state already holds the four; the stream is not applied again.
    const second = collector();
    await second.start();
    expect(served(second)).toBe(4);
    bus.publish(RequestCompleted, completed(5, true), { streamId: 'request:5', correlationId: 'r5' });
    await waitFor('the fifth applied', async () => (served(second) === 5 ? true : undefined));
    expect(second.projection.value(OVERALL, 'degradation_rate', '1h', Date.now())).toMatchObject({ value: 0.4, events: 5 });
    await waitFor('every message acknowledged', async () => ((await (await bus.jsm()).consumers.info(iso.stream, 'slo-collector')).num_ack_pending === 0 ? true : undefined));
    await second.stop();

    // The saved state dropped: the collector rebuilds it from the whole stream, each event once.
    await pool.query(`DELETE FROM read_model_snapshots`);
    const third = collector();
    await third.start();
    await waitFor('the stream replayed', async () => (served(third) === 5 ? true : undefined));
    expect(third.projection.value(OVERALL, 'degradation_rate', '1h', Date.now())).toMatchObject({ value: 0.4, events: 5 });
    await third.stop();
  });
});

describe('StreamConsumer (real JetStream)', () => {
  const iso = newIsolation('slo-consumer');
  let bus: NatsBus;

  beforeAll(async () => {
    bus = await NatsBus.connect({ servers: iso.natsUrl, service: 'test', namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test') });
    await bus.ensureEventStream();
  });

  afterAll(async () => {
    await bus.close();
    await dropIsolation(iso);
  });

  describe('settle', () => {
    it('given messages applied after a checkpoint, then settling it acknowledges up to the checkpoint and leaves them pending', async () => {
      const applied: string[] = [];
      const consumer = new StreamConsumer(bus, logger, { durableName: 'read-model', savedSeq: 0, ackWaitMs: 60_000, pullIntervalMs: 50 }, (e) => void applied.push(e.correlationId));
      await consumer.start();
      const info = async () => (await bus.jsm()).consumers.info(iso.stream, 'read-model');
      // One message per event: events published in the same tick would travel as one message.
      const publish = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          bus.publish(RequestCompleted, completed(i, false), { streamId: `request:${i}`, correlationId: `r${i}` });
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      await publish(0, 3);
      await waitFor('three applied', async () => (applied.length === 3 ? true : undefined));
      const checkpoint = consumer.checkpoint();
      await publish(3, 5);
      await waitFor('five applied', async () => (applied.length === 5 ? true : undefined));

      consumer.settle(checkpoint);
      await waitFor('the checkpoint acknowledged', async () => ((await info()).ack_floor.stream_seq === checkpoint ? true : undefined));
      expect((await info()).num_ack_pending).toBe(2);
      expect(consumer.dirty).toBe(true);

      consumer.settle(consumer.checkpoint());
      await waitFor('every message acknowledged', async () => ((await info()).num_ack_pending === 0 ? true : undefined));
      expect(consumer.dirty).toBe(false);
      await consumer.stop();
    });
  });
});

describe('AlertWebhook', () => {
  let server: Server;
  let url: string;
  let answers: number[];
  const got: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push(body);
        res.writeHead(answers.shift() ?? 204).end();
      });
    });
    const port = await freePort();
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${port}/hook`;
  });

  afterAll(() => server.close());

  it('given a receiver that fails twice with 503, then the alert is delivered on the third try', async () => {
    answers = [503, 503, 204];
    got.length = 0;
    const hook = new AlertWebhook({ url, baseDelayMs: 10 }, logger);
    hook.send({ type: 'slo.alert-raised', payload: { alertId: 'a1' } });
    await waitFor('delivered', async () => (hook.stats.delivered === 1 ? true : undefined));
    expect(hook.stats.attempts).toBe(3);
    expect(got.map((b) => JSON.parse(b))).toEqual([0, 1, 2].map(() => ({ type: 'slo.alert-raised', alertId: 'a1' })));
  });

  it('given a receiver that refuses with 400, then it is not retried, and the next alert still goes out', async () => {
    answers = [400, 204];
    got.length = 0;
    const hook = new AlertWebhook({ url, baseDelayMs: 10 }, logger);
    hook.send({ type: 'slo.alert-raised', payload: { alertId: 'a2' } });
    hook.send({ type: 'slo.alert-resolved', payload: { alertId: 'a2' } });
    await waitFor('both handled', async () => (hook.stats.delivered + hook.stats.failed === 2 ? true : undefined));
    expect(hook.stats).toMatchObject({ delivered: 1, failed: 1, attempts: 2 });
    expect(got.map((b) => (JSON.parse(b) as { type: string }).type)).toEqual(['slo.alert-raised', 'slo.alert-resolved']);
  });
});
