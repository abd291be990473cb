import type OpenAI from 'openai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { parse, stringify } from 'yaml';
import { freePort, REPO_ROOT, type Stack, waitFor } from '@cp/shared/testing';
import { ledgerEvent, simControl as sim, startE2e } from './support/e2e-kit';

// Long enough that the 200-odd requests of the first test finish before it, even on a loaded machine
// (the breaker must stay open through them); the second test waits it out once.
const RESET_MS = 15_000;
const PRIMARY = 'qwen/qwen3-235b-a22b';
const FALLBACK = 'gemini/gemini-2.5-pro';

/**
 * The shipped registry with qwen pointed at a port where nothing listens (a real ECONNREFUSED).
 * A key is set for qwen so the registry uses that base URL instead of the shared simulator; later
 * the test opens a provider-sim listener for qwen on that very port, and the primary is back.
 */
function registryWithPrimaryOn(port: number): string {
  const doc = parse(readFileSync(join(REPO_ROOT, 'config/providers.yaml'), 'utf8')) as { providers: { id: string; baseUrl: string }[] };
  const qwen = doc.providers.find((p) => p.id === 'qwen');
  if (!qwen) throw new Error('qwen missing from the registry');
  qwen.baseUrl = `http://127.0.0.1:${port}/v1`;
  const file = join(mkdtempSync(join(tmpdir(), 'cp-reg-')), 'providers.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Trail {
  attempts: { provider: string; outcome: string; errorClass?: string; latencyMs: number }[];
}

describe('provider plane: the primary is down (connection refused)', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;
  let primaryPort: number;

  beforeAll(async () => {
    primaryPort = await freePort();
    ({ stack, client, db, stop } = await startE2e({
      label: 'primary-down',
      // The registry is the deployment's: the gateway calls providers with it, the router serves its catalog.
      env: { CP_PROVIDERS_FILE: registryWithPrimaryOn(primaryPort), DASHSCOPE_API_KEY: 'sk-e2e-not-a-real-key' },
      serviceEnv: { gateway: { CP_BREAKER_RESET_MS: String(RESET_MS) } },
    }));
  });

  afterAll(async () => {
    await stop?.();
  });

  const timed = async (model: string, text: string) => {
    const started = performance.now();
    const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: text }] }).withResponse();
    return { ms: performance.now() - started, data: r.data, requestId: r.response.headers.get('x-request-id') };
  };
  const trailOf = async (requestId: string | null) => (await ledgerEvent<{ trail: Trail }>(db, requestId)).trail;

  it('given the primary refuses connections, then 100 of 100 requests succeed, the breaker opens at the third failure, and with it open the primary costs nothing (skipped without a wait)', async () => {
    // Warm both paths (connection pools, JIT) so the comparison measures the breaker, not a cold start.
    for (let i = 0; i < 20; i++) await timed(FALLBACK, `warm ${i}`);

    const down: Awaited<ReturnType<typeof timed>>[] = [];
    const fallbackAlone: number[] = [];
    for (let i = 0; i < 3; i++) down.push(await timed(PRIMARY, `req ${i}`));
    // Interleaved, so both series see the same machine load, and in alternating order, so neither
    // series always runs right after the other's asynchronous tail (ledger publish, GC).
    for (let i = 3; i < 100; i++) {
      if (i % 2) fallbackAlone.push((await timed(FALLBACK, `alone ${i}`)).ms);
      down.push(await timed(PRIMARY, `req ${i}`));
      if (i % 2 === 0) fallbackAlone.push((await timed(FALLBACK, `alone ${i}`)).ms);
    }
    expect(down).toHaveLength(100);
    down.forEach((r, i) => expect([r.data.model, r.data.choices[0].message.content]).toEqual(['gemini-2.5-pro', `echo: req ${i}`]));

    const trails = await Promise.all([0, 1, 2, 3, 99].map((i) => trailOf(down[i].requestId)));
    for (const t of trails.slice(0, 3)) expect(t.attempts.map((a) => [a.provider, a.outcome, a.errorClass])).toEqual([['qwen', 'error', 'connection'], ['gemini', 'ok', undefined]]);
    // The breaker adds no delay: the skipped attempt took no time and made no call.
    for (const t of trails.slice(3)) expect(t.attempts[0]).toMatchObject({ provider: 'qwen', outcome: 'skipped', errorClass: 'breaker_open', latencyMs: 0 });
    const opened = await db.query(`SELECT payload FROM events WHERE type = 'router.breaker-transitioned' AND payload->>'type' = 'breaker.opened'`);
    expect(opened.rows.map((r: { payload: { key: string; consecutiveFailures: number } }) => [r.payload.key, r.payload.consecutiveFailures])).toEqual([[PRIMARY, 3]]);

    const withBreakerOpen = median(down.slice(3).map((r) => r.ms));
    const alone = median(fallbackAlone);
    // A figure, not a verdict: timing targets belong in the benchmarks (a loaded machine moves it).
    process.stdout.write(`primary down, breaker open: p50 ${withBreakerOpen.toFixed(3)} ms; fallback alone: p50 ${alone.toFixed(3)} ms; difference ${(withBreakerOpen - alone).toFixed(3)} ms\n`);
  });

  it('given the reset time has passed and the primary is healthy again, then exactly one probe goes to it and traffic returns', async () => {
    const res = await sim(stack).listen('qwen', primaryPort);
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, RESET_MS + 200));
    const probe = await timed(PRIMARY, 'probe');
    expect(probe.data.model).toBe('qwen3-235b-a22b');
    for (let i = 0; i < 5; i++) expect((await timed(PRIMARY, `back ${i}`)).data.model).toBe('qwen3-235b-a22b');
    expect(await sim(stack).requests('qwen')).toBe(6);
    const transitions = await waitFor('breaker closed', async () => {
      const r = await db.query(`SELECT payload->>'type' AS type FROM events WHERE type = 'router.breaker-transitioned' ORDER BY position`);
      return r.rows.some((x: { type: string }) => x.type === 'breaker.closed') ? r.rows.map((x: { type: string }) => x.type) : undefined;
    });
    expect(transitions).toEqual(['breaker.opened', 'breaker.half-opened', 'breaker.closed']);
  });
});
