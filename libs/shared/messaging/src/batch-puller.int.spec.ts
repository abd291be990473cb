import { AckPolicy } from '@nats-io/jetstream';
import { createLogger, trace } from '@cp/shared/telemetry';
import { dropIsolation, newIsolation, waitFor } from '@cp/shared/testing';
import { BatchPuller, NatsBus } from './index';

describe('BatchPuller (real NATS with JetStream)', () => {
  const iso = newIsolation('puller');
  let bus: NatsBus;

  beforeAll(async () => {
    bus = await NatsBus.connect({ servers: iso.natsUrl, service: 'puller', namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test') });
    await bus.ensureEventStream();
  });

  afterAll(async () => {
    await bus.close();
    await dropIsolation(iso);
  });

  it('given 250 waiting messages and batches of 100, then each is handled once, in order, in three pulls; later ones at the next interval', async () => {
    const subject = bus.subject('cp.test.pulled.v1');
    for (let i = 1; i <= 250; i++) await bus.js.publish(subject, String(i));
    const jsm = await bus.jsm();
    await jsm.consumers.add(iso.stream, { durable_name: 'pulled', ack_policy: AckPolicy.All });
    const consumer = await bus.js.consumers.get(iso.stream, 'pulled');
    const seen: number[] = [];
    const puller = new BatchPuller(consumer, createLogger('puller-test', 'silent'), { name: 'pulled', intervalMs: 50, maxBatch: 100 }, (m) => {
      seen.push(Number(m.string()));
      m.ack();
    });
    puller.start();
    await waitFor('250 handled', async () => (seen.length >= 250 ? true : undefined));
    expect(puller.pulls).toBe(3);
    for (let i = 251; i <= 260; i++) await bus.js.publish(subject, String(i));
    await waitFor('260 handled', async () => (seen.length >= 260 ? true : undefined));
    expect(seen).toEqual(Array.from({ length: 260 }, (_, i) => i + 1));
    const started = Date.now();
    await puller.stop();
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
