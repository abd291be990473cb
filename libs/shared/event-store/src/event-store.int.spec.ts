import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@cp/shared/contracts';
import { dropIsolation, newIsolation, sampleEvent } from '@cp/shared/testing';
import { newId } from '@cp/shared/contracts';
import { createDataSource, EventStore, migrate, MIGRATIONS } from './index';

const event = (n: number): EventEnvelope => sampleEvent(n, { n, nested: { z: 1, a: [1, 2, 3] }, text: 'héllo' });

describe('EventStore (real Postgres)', () => {
  const iso = newIsolation('evstore');
  let ds: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    const applied = await migrate(iso.databaseUrl);
    expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
    ds = await (await createDataSource(iso.databaseUrl, 4)).initialize();
    store = new EventStore(ds);
  });

  afterAll(async () => {
    await ds.destroy();
    await dropIsolation(iso);
  });

  it('given migrations ran, when they run again, then nothing is applied and pgvector is enabled', async () => {
    expect(await migrate(iso.databaseUrl)).toEqual([]);
    const ext = await ds.query(`SELECT extname FROM pg_extension WHERE extname = 'vector'`);
    expect(ext).toHaveLength(1);
  });

  describe('append', () => {
    it('given a batch with a repeated id and an already stored id, then each event is stored once', async () => {
      const a = event(1);
      const b = event(2);
      expect(await store.append([a])).toMatchObject({ appended: 1, duplicates: 0, headPosition: 1 });
      const r = await store.append([a, b, b]);
      expect(r).toMatchObject({ appended: 1, duplicates: 2, headPosition: 2 });
      const rows = await store.read();
      expect(rows.map((x) => x.id)).toEqual([a.id, b.id]);
      expect(rows[1].payload).toEqual(b.payload);
    });

    it('given a payload path, then read returns only the events with a value there, and that value as their payload', async () => {
      const rows = await store.read({ payloadPath: ['nested', 'a'], limit: 1 });
      expect(rows.map((x) => [x.position, x.payload])).toEqual([[1, [1, 2, 3]]]);
      expect(await store.read({ payloadPath: ['nested', 'missing'] })).toEqual([]);
      // A path segment is a parameter, never SQL.
      expect(await store.read({ payloadPath: ["a') OR true --"] })).toEqual([]);
    });

    it('given payloads with quotes, backslashes, unicode, nulls and nesting, then each is stored as sent; one without a payload is refused by the NOT NULL column', async () => {
      const payloads: unknown[] = [{ q: 'a "quoted" \\ back\\slash', u: 'é€😀', nl: 'x\ny' }, null, [1, 'two', { three: [3] }], 'plain text', 42, { deep: { a: { b: { c: [null, true, false] } } } }];
      const events = payloads.map((p, i) => ({ ...event(50 + i), payload: p }));
      const r = await store.append(events);
      expect(r).toMatchObject({ appended: payloads.length, duplicates: 0 });
      const rows = await store.read({ afterPosition: r.headPosition - payloads.length });
      expect(rows.map((x) => x.payload)).toEqual(payloads);
      await expect(store.append([event(60), { ...event(61), payload: undefined }])).rejects.toMatchObject({ code: '23502' });
      expect((await store.headLink()).position).toBe(r.headPosition);
      expect(await store.verify()).toMatchObject({ ok: true });
    });

    it('given concurrent writers, then positions stay dense and the chain verifies', async () => {
      await Promise.all([0, 1, 2, 3].map((k) => store.append(Array.from({ length: 25 }, (_, i) => event(100 + k * 25 + i)))));
      const v = await store.verify(7);
      expect(v).toMatchObject({ ok: true, count: 108, firstBrokenPosition: null });
    });
  });

  describe('append-only trigger', () => {
    it('given a stored row, when it is updated or deleted, then Postgres refuses', async () => {
      await expect(ds.query(`UPDATE events SET type = 'x' WHERE position = 1`)).rejects.toThrow(/append-only/);
      await expect(ds.query(`DELETE FROM events WHERE position = 1`)).rejects.toThrow(/append-only/);
      await expect(ds.query(`TRUNCATE events`)).rejects.toThrow(/append-only/);
    });
  });

  describe('verify', () => {
    it('given a row tampered with while the trigger was off, then verify names its position', async () => {
      const admin = new Client({ connectionString: iso.databaseUrl });
      await admin.connect();
      await admin.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
      await admin.query(`UPDATE events SET payload = '{"n": -1}' WHERE position = 50`);
      await admin.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
      await admin.end();
      expect(await store.verify(16)).toMatchObject({ ok: false, firstBrokenPosition: 50 });
    });
  });

  it('given several transitions per stream, then latestPerStream returns only the newest of each, in store order', async () => {
    const t = (streamId: string, state: string): EventEnvelope => ({ ...event(9000), type: 'test.latest', streamId, payload: { state } });
    await store.append([t('breaker:a', 'open'), t('breaker:b', 'open'), t('breaker:a', 'closed'), t('breaker:c', 'open'), t('breaker:b', 'half_open')]);
    const latest = await store.latestPerStream('test.latest');
    expect(latest.map((e) => [e.streamId, (e.payload as { state: string }).state])).toEqual([
      ['breaker:a', 'closed'],
      ['breaker:c', 'open'],
      ['breaker:b', 'half_open'],
    ]);
  });
});
