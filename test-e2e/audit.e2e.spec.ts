import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainHash } from '@cp/shared/event-store';
import { REPO_ROOT, waitFor } from '@cp/shared/testing';
import { ledgerEvent, simControl as sim, startE2e, type E2e, type Json } from './support/e2e-kit';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The audit trail on the running stack: signed checkpoints, live and offline verification, explain and replay. */
describe('audit: signed checkpoints, verification, explain and replay', () => {
  let e2e: E2e;
  const dir = mkdtempSync(join(tmpdir(), 'cp-e2e-checkpoints-'));
  const work = mkdtempSync(join(tmpdir(), 'cp-e2e-export-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signingKey = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

  const cpctl = (...args: string[]) =>
    new Promise<Run>((resolve) =>
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'dist/apps/cpctl/src/main.js'), ...args],
        { env: { PATH: process.env.PATH, CP_GATEWAY_URL: e2e.stack.gatewayUrl, CP_API_KEY: e2e.stack.apiKey, CP_AUDIT_PUBLIC_KEY: publicPem, CP_AUDIT_CHECKPOINT_DIR: dir } },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  const json = (r: Run) => JSON.parse(r.stdout) as Json;
  const ask = async (text: string) => {
    const { response } = await e2e.client.chat.completions.create({ model: 'qwen/qwen3-235b-a22b', messages: [{ role: 'user', content: text }] }).withResponse();
    return response.headers.get('x-request-id')!;
  };
  const storedCount = async () => Number((await e2e.db.query('SELECT count(*) AS n FROM events')).rows[0].n);
  const checkpoints = () => readdirSync(dir).filter((n) => n.endsWith('.note')).sort();
  const newestSize = () => Number(/(\d+)\.note$/.exec(checkpoints().at(-1) ?? '0.note')![1]);

  beforeAll(async () => {
    e2e = await startE2e({
      label: 'audit',
      serviceEnv: { auditor: { CP_AUDIT_SIGNING_KEY: signingKey, CP_AUDIT_CHECKPOINT_DIR: dir, CP_AUDIT_CHECKPOINT_INTERVAL_MS: '300', CP_AUDIT_FULL_VERIFY_INTERVAL_MS: '30000' } },
    });
  });

  afterAll(async () => {
    await e2e?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('given a failed-over request, then cpctl explain tells which provider failed, why, and who served it; replay says the open breaker would now skip it', async () => {
    await sim(e2e.stack).fault('qwen', { type: 'status', status: 503 });
    const ids = [await ask('first'), await ask('second'), await ask('third')];
    await ledgerEvent(e2e.db, ids[0]);
    const explained = await cpctl('explain', ids[0]);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain(`request ${ids[0]}`);
    expect(explained.stdout).toMatch(/1\. qwen\/qwen3-235b-a22b {2}error {2}server \(HTTP 503\) after [\d.]+ ms: provider answered HTTP 503/);
    expect(explained.stdout).toMatch(/2\. gemini\/gemini-2\.5-pro {2}ok/);
    expect(explained.stdout).toContain('failover: yes, past qwen/qwen3-235b-a22b (server)');
    expect(explained.stdout).toContain('served by: gemini/gemini-2.5-pro');
    expect(explained.stdout).toContain('repairs: none recorded');

    // Three failures opened qwen's breaker: the same request now would skip it.
    await ledgerEvent(e2e.db, ids[2]);
    const replayed = await cpctl('replay', ids[0]);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain("qwen/qwen3-235b-a22b's breaker is open now: it would be skipped");
    await sim(e2e.stack).clear('qwen');

    const unknown = await cpctl('explain', 'no-such-request');
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('request_not_found')]);
  });

  it('given the auditor signs checkpoints, then cpctl audit verify checks the live store against the newest one, and the private key is in no log', async () => {
    await waitFor('a checkpoint covering every stored event', async () => (checkpoints().length > 0 && newestSize() >= (await storedCount()) ? true : undefined), 20_000);
    const r = await cpctl('audit', 'verify');
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, mode: 'incremental', trustedCheckpoint: { size: newestSize() }, checkpoint: { matches: true } });
    const keyBody = signingKey.split('\n')[1];
    for (const log of readdirSync(e2e.stack.logDir)) expect(readFileSync(join(e2e.stack.logDir, log), 'utf8')).not.toContain(keyBody);
  });

  it('given an export, then verify --file passes it offline, and an edited event, a deleted tail and a rewritten chain in copies of it are each named', async () => {
    await ask('one more');
    await waitFor('checkpoint grown', async () => (newestSize() >= (await storedCount()) ? true : undefined), 20_000);
    const file = join(work, 'audit.jsonl');
    const exported = await cpctl('audit', 'export', '--out', file);
    expect(exported.code).toBe(0);
    const ok = await cpctl('audit', 'verify', '--file', file);
    expect(json(ok)).toMatchObject({ ok: true, mode: 'file', count: json(exported).size });

    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
    const [header, events, trailer] = [lines[0], lines.slice(1, -1), lines.at(-1)];
    const checked = async (name: string, evs: Json[], end = trailer) => {
      const path = join(work, name);
      writeFileSync(path, [header, ...evs, end].map((l) => JSON.stringify(l)).join('\n') + '\n');
      const r = await cpctl('audit', 'verify', '--file', path);
      expect(r.code).toBe(1);
      return json(r).problem as { kind: string; position: number };
    };
    // The checkpoint the export carries (signed before it was written).
    const size = Number((header.checkpointNote as string).split('\n')[1]);
    const edited = events.map((e) => (e.position === 2 ? { ...e, payload: { ...e.payload, forged: true } } : e));
    expect(await checked('edited.jsonl', edited)).toMatchObject({ kind: 'event_edited', position: 2 });
    const cut = events.filter((e) => e.position < size - 1);
    expect(await checked('cut.jsonl', cut, { end: { size: cut.length, headHash: cut.at(-1).hash } })).toMatchObject({ kind: 'tail_deleted', position: size - 1 });
    let prev = events[0].prevHash as string;
    const rewritten = events.map((e) => {
      const payload = e.position >= 2 ? { ...e.payload, forged: true } : e.payload;
      const hash = chainHash(prev, { ...e, payload });
      const out = { ...e, payload, prevHash: prev, hash };
      prev = hash;
      return out;
    });
    expect(await checked('rewritten.jsonl', rewritten, { end: { size: rewritten.length, headHash: prev } })).toMatchObject({ kind: 'chain_rewritten' });
  });

  it('given a stored event edited in the live store, then verify --full names it; a second full verify right after is refused with 429 and Retry-After', async () => {
    const target = 2;
    const original = (await e2e.db.query('SELECT payload FROM events WHERE position = $1', [target])).rows[0].payload;
    await e2e.db.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
    await e2e.db.query(`UPDATE events SET payload = jsonb_set(payload, '{forged}', 'true') WHERE position = $1`, [target]);
    await e2e.db.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
    const broken = await cpctl('audit', 'verify', '--full');
    expect(broken.code).toBe(1);
    expect(json(broken)).toMatchObject({ ok: false, mode: 'full', problem: { kind: 'event_edited', position: target } });

    await e2e.db.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
    await e2e.db.query('UPDATE events SET payload = $2::jsonb WHERE position = $1', [target, JSON.stringify(original)]);
    await e2e.db.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
    const again = await fetch(`${e2e.stack.gatewayUrl}/v1/audit/verify?full=true`, { headers: { authorization: `Bearer ${e2e.stack.apiKey}` } });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await again.json()) as Json).error).toMatchObject({ code: 'full_verify_rate_limited', type: 'rate_limit_exceeded' });
    // The ordinary verification is never limited.
    expect(json(await cpctl('audit', 'verify'))).toMatchObject({ ok: true });
  });
});
