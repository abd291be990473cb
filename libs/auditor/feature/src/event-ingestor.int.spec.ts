import { z } from 'zod';
import { defineEvent } from '@cp/shared/contracts';
import { createDataSource, EventStore, migrate } from '@cp/shared/event-store';
import { NatsBus } from '@cp/shared/messaging';
import { createLogger, trace } from '@cp/shared/telemetry';
import { dropIsolation, newIsolation, waitFor } from '@cp/shared/testing';
import { uuidv7 } from 'uuidv7';
import { EventIngestor } from './event-ingestor';

const Numbered = defineEvent('test.numbered', 1, z.object({ n: z.number() }));

describe('EventIngestor (real JetStream and Postgres)', () => {
  const iso = newIsolation('ingestor');
  const ds = createDataSource(iso.databaseUrl, 4);
  let bus: NatsBus;
  let store: EventStore;
  let ingestor: EventIngestor;

  beforeAll(async () => {
    await migrate(iso.databaseUrl);
    await ds.initialize();
    store = new EventStore(ds);
    bus = await NatsBus.connect({ servers: iso.natsUrl, service: 'test', namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test') });
    await bus.ensureEventStream();
    ingestor = new EventIngestor(bus, store, createLogger('auditor-test', 'silent'), { durableName: 'auditor', maxBatch: 50, lingerMs: 5 });
    await ingestor.start();
  });

  afterAll(async () => {
    await ingestor.stop();
    await bus.close();
    await ds.destroy();
    await dropIsolation(iso);
  });

  const publish = (from: number, count: number) => {
    for (let n = from; n < from + count; n++) bus.publish(Numbered, { n }, { streamId: `n:${n}`, correlationId: `c${n}` });
  };
  const stored = async () => (await store.read({ type: Numbered.type, limit: 10_000 })).map((e) => (e.payload as { n: number }).n);
  const pendingAcks = async () => (await (await bus.jsm()).consumers.info(iso.stream, 'auditor')).num_ack_pending;

  it('given events, some batched in one message and some one per message, then each is stored once, in stream order, and the consumer has nothing left to ack', async () => {
    // 60 in one tick (one batch message), then 60 in ticks of their own (one message each).
    publish(0, 60);
    for (let n = 60; n < 120; n++) {
      await new Promise((r) => setImmediate(r));
      publish(n, 1);
    }
    await waitFor('120 stored', async () => ((await stored()).length === 120 ? true : undefined));
    expect(await stored()).toEqual(Array.from({ length: 120 }, (_, n) => n));
    await waitFor('acks settled', async () => ((await pendingAcks()) === 0 ? true : undefined));
  });

  it('given Postgres rejects writes for a while, then the failed batch is retried, nothing overtakes it, and nothing is lost', async () => {
    await ds.query('ALTER TABLE events RENAME TO events_away');
    try {
      publish(120, 10);
      await waitFor('a failed batch', async () => (ingestor.stats.failedBatches > 0 ? true : undefined));
      publish(130, 10);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await ds.query('ALTER TABLE events_away RENAME TO events');
    }
    await waitFor('140 stored', async () => ((await stored()).length === 140 ? true : undefined), 20_000);
    expect(await stored()).toEqual(Array.from({ length: 140 }, (_, n) => n));
    expect(await store.verify()).toMatchObject({ ok: true, count: 140 });
    await waitFor('acks settled', async () => ((await pendingAcks()) === 0 ? true : undefined));
  });

  it('given a batch message with an entry that is not an envelope, then the others are stored and the bad one counted as poison', async () => {
    const poison = ingestor.stats.poison;
    const good = (n: number) => ({ id: uuidv7(), type: Numbered.type, version: 1, streamId: `n:${n}`, source: 'test', occurredAt: new Date().toISOString(), correlationId: 'mixed', causationId: null, traceparent: null, payload: { n } });
    const body = JSON.stringify([good(1000), { not: 'an envelope' }, good(1001)]);
    await bus.js.publish(bus.subject(Numbered.subject), body);
    await waitFor('the good entries stored', async () => ((await stored()).includes(1001) ? true : undefined));
    expect((await stored()).slice(-2)).toEqual([1000, 1001]);
    expect(ingestor.stats.poison - poison).toBe(1);
  });
});
