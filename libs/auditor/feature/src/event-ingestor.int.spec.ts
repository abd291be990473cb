import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { defineEvent, LedgerGapFound, MessageParked, newId } from '@cp/shared/contracts';
import { createDataSource, EventStore, migrate } from '@cp/shared/event-store';
import { NatsBus } from '@cp/shared/messaging';
import { createLogger, trace } from '@cp/shared/telemetry';
import { dropIsolation, newIsolation, waitFor } from '@cp/shared/testing';
import { CompletenessCheck } from './completeness-check';
import { EventIngestor } from './event-ingestor';
import { resubmitParked } from './parked-resubmit';

const Numbered = defineEvent('test.numbered', 1, z.object({ n: z.number() }));

describe('EventIngestor (real JetStream and Postgres)', () => {
  const iso = newIsolation('ingestor');
  let ds: DataSource;
  let bus: NatsBus;
  let store: EventStore;
  let ingestor: EventIngestor;

  beforeAll(async () => {
    await migrate(iso.databaseUrl);
    ds = await (await createDataSource(iso.databaseUrl, 4)).initialize();
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

  it('given a batch message with an entry that is not an envelope, then the others are stored and the bad one parked', async () => {
    const poison = ingestor.stats.parkedEvents;
    const good = (n: number) => ({ id: newId(), type: Numbered.type, version: 1, streamId: `n:${n}`, source: 'test', occurredAt: new Date().toISOString(), correlationId: 'mixed', causationId: null, traceparent: null, payload: { n } });
    const body = JSON.stringify([good(1000), { not: 'an envelope' }, good(1001)]);
    await bus.js.publish(bus.subject(Numbered.subject), body);
    await waitFor('the good entries stored', async () => ((await stored()).includes(1001) ? true : undefined));
    expect((await stored()).slice(-2)).toEqual([1000, 1001]);
    expect(ingestor.stats.parkedEvents - poison).toBe(1);
    const { parked } = await bus.deadLetters.list();
    expect(parked.at(-1)).toMatchObject({ consumer: 'auditor', reason: 'entries 1 of 3 are not event envelopes', data: body });
  });

  const envelope = (n: number, extra: Record<string, unknown> = {}) => ({ id: newId(), type: Numbered.type, version: 1, streamId: `n:${n}`, source: 'test', occurredAt: new Date().toISOString(), correlationId: `c${n}`, causationId: null, traceparent: null, payload: { n, ...extra } });

  it('given an event Postgres refuses (a NUL in its payload) between good ones, then it is parked with its bytes and reason, the others are stored, and the chain verifies', async () => {
    const before = (await stored()).length;
    const poison = envelope(2000, { note: 'a\u0000b' });
    const poisonBytes = JSON.stringify(poison);
    await bus.js.publish(bus.subject(Numbered.subject), JSON.stringify(envelope(1999)));
    await bus.js.publish(bus.subject(Numbered.subject), poisonBytes);
    await bus.js.publish(bus.subject(Numbered.subject), JSON.stringify(envelope(2001)));
    await waitFor('the event after the poison stored', async () => ((await stored()).includes(2001) ? true : undefined), 20_000);
    expect((await stored()).slice(before)).toEqual([1999, 2001]);
    expect(await store.verify()).toMatchObject({ ok: true });
    const { parked } = await bus.deadLetters.list();
    const entry = parked.find((p) => p.data === poisonBytes);
    expect(entry?.reason).toBe('refused by the store: unsupported Unicode escape sequence');
    // The parking is an event in the ledger too.
    await waitFor('the parking stored', async () => ((await store.read({ type: MessageParked.type })).some((e) => (e.payload as { eventIds: string[] }).eventIds.includes(poison.id)) ? true : undefined));
    await waitFor('acks settled', async () => ((await pendingAcks()) === 0 ? true : undefined));

    // Fixed by an operator and re-submitted: stored with its own id, and gone from the dead letters.
    const fixed = { ...poison, payload: { n: 2000, note: 'a b' } };
    const reply = await resubmitParked(bus, store, ingestor, entry!.parkedSeq, [fixed]);
    expect(reply).toEqual({ ok: true, stored: 1, duplicates: 0 });
    expect((await stored()).slice(-1)).toEqual([2000]);
    expect(await bus.deadLetters.get(entry!.parkedSeq)).toBeNull();
    expect(await store.verify()).toMatchObject({ ok: true });
  });

  it('given messages acknowledged by someone else while the auditor was away, then the completeness check stores them from the stream and reports the gap', async () => {
    await ingestor.stop();
    publish(3000, 5);
    await bus.events.flush(5000);
    // A rogue reader acks on the auditor's durable consumer without storing anything.
    const consumer = await bus.js.consumers.get(iso.stream, 'auditor');
    const batch = await consumer.fetch({ max_messages: 100, expires: 2000 });
    for await (const m of batch) m.ack();
    await waitFor('acks settled', async () => ((await pendingAcks()) === 0 ? true : undefined));
    expect((await stored()).filter((n) => n >= 3000)).toEqual([]);

    ingestor = new EventIngestor(bus, store, createLogger('auditor-test', 'silent'), { durableName: 'auditor', maxBatch: 50, lingerMs: 5 });
    await ingestor.start();
    const check = new CompletenessCheck(bus, store, ingestor, createLogger('auditor-test', 'silent'));
    await check.start(60_000);
    check.stop();
    expect((await stored()).filter((n) => n >= 3000)).toEqual([3000, 3001, 3002, 3003, 3004]);
    expect(check.stats.healed).toBeGreaterThan(0);
    expect(check.stats.missing).toBe(0);
    await waitFor('the gap reported in the ledger', async () => ((await store.read({ type: LedgerGapFound.type })).length > 0 ? true : undefined));
    expect(await store.verify()).toMatchObject({ ok: true });
  });
});
