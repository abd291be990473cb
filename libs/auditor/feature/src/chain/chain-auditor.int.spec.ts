import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { chainHash, createDataSource, GENESIS_HASH, EventStore, migrate, openCheckpoint } from '@cp/shared/event-store';
import { createLogger } from '@cp/shared/telemetry';
import { dropIsolation, newIsolation, sampleEvent } from '@cp/shared/testing';
import { AuditConfigSchema } from '../audit-config';
import { ChainAuditor } from './chain-auditor';

const event = (n: number) => sampleEvent(n, { n, status: 200 });

describe('ChainAuditor (real Postgres)', () => {
  const iso = newIsolation('chainaud');
  let ds: DataSource;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signingKey = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  let store: EventStore;
  let dir: string;
  let appended = 0;

  const auditor = (env: Record<string, string> = {}) =>
    new ChainAuditor(store, AuditConfigSchema.parse({ CP_AUDIT_SIGNING_KEY: signingKey, CP_AUDIT_CHECKPOINT_DIR: dir, CP_AUDIT_CHECKPOINT_INTERVAL_MS: '600000', CP_AUDIT_FULL_VERIFY_INTERVAL_MS: '0', ...env }), createLogger('test', 'silent'));
  const append = (n: number) => store.append(Array.from({ length: n }, () => event(++appended)));
  /** What an intruder with database access does: the append-only trigger off, the change, the trigger on. */
  const tamper = async (sql: string, params: unknown[] = []) => {
    await ds.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
    try {
      await ds.query(sql, params);
    } finally {
      await ds.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
    }
  };
  /** Changes the payloads from `from` on and recomputes every hash after it, so each link is consistent again. */
  const rewriteFrom = async (from: number) => {
    const links = await store.links(from - 1, 10_000);
    let prev = from === 1 ? GENESIS_HASH : (await store.links(from - 2, 1))[0].hash;
    for (const link of links) {
      const payload = { ...(link.payload as object), status: 500 };
      const hash = chainHash(prev, { ...link, payload });
      await tamper('UPDATE events SET payload = $2::jsonb, prev_hash = $3, hash = $4 WHERE position = $1', [link.position, JSON.stringify(payload), prev, hash]);
      prev = hash;
    }
  };

  beforeAll(async () => {
    await migrate(iso.databaseUrl);
    ds = await (await createDataSource(iso.databaseUrl, 2)).initialize();
    store = new EventStore(ds);
  });

  beforeEach(async () => {
    await tamper('DELETE FROM events');
    appended = 0;
    dir = mkdtempSync(join(tmpdir(), 'cp-checkpoints-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  afterAll(async () => {
    await ds.destroy();
    await dropIsolation(iso);
  });

  describe('checkpoint', () => {
    it('given new events, then a signed note of the verified head is written, and none while the chain does not grow', async () => {
      const a = auditor();
      await a.start();
      await append(10);
      const written = await a.checkpoint();
      expect(written).toMatchObject({ size: 10, origin: 'agent-control-plane/audit' });
      expect(await a.checkpoint()).toBeNull();
      const files = readdirSync(dir);
      expect(files).toEqual(['checkpoint-000000000000010.note']);
      const note = readFileSync(join(dir, files[0]), 'utf8');
      expect(openCheckpoint(note, publicKey)).toMatchObject({ size: 10, hash: (await store.headLink()).hash });
      expect(note).not.toContain(signingKey.split('\n')[1]);
      a.stop();
    });
  });

  describe('verify', () => {
    it('given a verified chain, when events arrive, then an ordinary verification re-hashes only the new ones', async () => {
      const a = auditor();
      await append(20);
      expect(await a.verify()).toMatchObject({ ok: true, count: 20, checked: 20, mode: 'incremental' });
      await append(5);
      expect(await a.verify()).toMatchObject({ ok: true, count: 25, checked: 5 });
    });

    it('given one stored event edited, then a full verification names event_edited at its position; an edit after the verified head is caught by an ordinary one', async () => {
      const a = auditor();
      await append(12);
      await a.checkpoint();
      await tamper(`UPDATE events SET payload = jsonb_set(payload, '{status}', '418') WHERE position = 5`);
      expect(await a.verify({ full: true })).toMatchObject({ ok: false, firstBrokenPosition: 5, problem: { kind: 'event_edited', position: 5 } });
      await append(3);
      await tamper(`UPDATE events SET payload = jsonb_set(payload, '{status}', '418') WHERE position = 14`);
      const fresh = auditor();
      await fresh.start();
      expect(await fresh.verify()).toMatchObject({ ok: false, count: 13, problem: { kind: 'event_edited', position: 14 } });
      fresh.stop();
    });

    it('given the last events deleted, then ordinary, full and restarted verifications name tail_deleted', async () => {
      const a = auditor();
      await a.start();
      await append(10);
      await a.checkpoint();
      await tamper('DELETE FROM events WHERE position > 7');
      for (const reply of [await a.verify(), await a.verify({ full: true })]) {
        expect(reply).toMatchObject({ ok: false, problem: { kind: 'tail_deleted', position: 8 }, checkpoint: { size: 10, matches: false } });
      }
      a.stop();
      const restarted = auditor();
      await restarted.start();
      expect((await restarted.verify()).problem).toMatchObject({ kind: 'tail_deleted', position: 8 });
      restarted.stop();
    });

    it('given the chain rewritten consistently from a point on, then it is chain_rewritten against the checkpoint, after a restart too', async () => {
      const a = auditor();
      await a.start();
      await append(6);
      await a.checkpoint();
      await append(6);
      await a.checkpoint();
      await rewriteFrom(9);
      // Every link is consistent again: only the signed checkpoint at 12 shows it, and the one at 6 bounds where.
      const full = await a.verify({ full: true });
      expect(full).toMatchObject({ ok: false, problem: { kind: 'chain_rewritten', position: 7 } });
      expect(full.problem?.message).toContain('at or before position 12');
      expect((await a.verify()).problem).toMatchObject({ kind: 'chain_rewritten' });
      a.stop();
      const restarted = auditor();
      await restarted.start();
      expect((await restarted.verify()).problem).toMatchObject({ kind: 'chain_rewritten', position: 12 });
      expect((await restarted.verify({ full: true })).problem).toMatchObject({ kind: 'chain_rewritten', position: 7 });
      restarted.stop();
    });

    it('given a full verification just ran, then the next is refused with the time to wait and checks nothing', async () => {
      const a = auditor({ CP_AUDIT_FULL_VERIFY_INTERVAL_MS: '60000' });
      await append(3);
      expect(await a.verify({ full: true })).toMatchObject({ ok: true, count: 3, mode: 'full' });
      const again = await a.verify({ full: true });
      expect(again).toMatchObject({ ok: false, checked: 0 });
      expect(again.rateLimited?.retryAfterMs).toBeGreaterThan(50_000);
    });

    it("given a caller's checkpoint the store disagrees with, then it is named", async () => {
      const a = auditor();
      await append(4);
      expect((await a.verify({ checkpoint: { size: 4, hash: 'f'.repeat(64) } })).problem).toMatchObject({ kind: 'chain_rewritten' });
    });
  });
});
