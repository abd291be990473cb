import OpenAI from 'openai';
import type { Client } from 'pg';
import { type Stack, waitFor } from '@cp/shared/testing';
import { ledgerEvent, simControl as sim, startE2e } from './support/e2e-kit';

interface Attempt {
  provider: string;
  outcome: string;
  errorClass?: string;
}

describe('provider plane: failover and circuit breakers through the gateway', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;
  const RESET_MS = 1500;

  beforeAll(async () => {
    ({ stack, client, db, stop } = await startE2e({ label: 'failover', serviceEnv: { router: { CP_BREAKER_RESET_MS: String(RESET_MS) } } }));
  });

  afterAll(async () => {
    await stop?.();
  });

  const ask = (text: string, model = 'qwen/qwen3-235b-a22b') => client.chat.completions.create({ model, messages: [{ role: 'user', content: text }] }).withResponse();
  const trailOf = async (requestId: string | null) => (await ledgerEvent<{ trail: { attempts: Attempt[]; failover: boolean } }>(db, requestId)).trail;

  it('given the primary answers 503, then every request succeeds through the Gemini-format fallback, the breaker opens after the third failure and later requests skip the primary', async () => {
    await sim(stack).fault('qwen', { type: 'status', status: 503 });
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await ask(`req ${i}`));
    for (const [i, r] of results.entries()) {
      expect(r.data.choices[0].message.content).toBe(`echo: req ${i}`);
      expect(r.data.model).toBe('gemini-2.5-pro');
    }
    expect(await sim(stack).requests('qwen')).toBe(3);

    const first = await trailOf(results[0].response.headers.get('x-request-id'));
    expect(first.failover).toBe(true);
    expect(first.attempts.map((a) => [a.provider, a.outcome, a.errorClass])).toEqual([
      ['qwen', 'error', 'server'],
      ['gemini', 'ok', undefined],
    ]);
    const later = await trailOf(results[5].response.headers.get('x-request-id'));
    expect(later.attempts[0]).toMatchObject({ provider: 'qwen', outcome: 'skipped', errorClass: 'breaker_open' });

    const opened = await waitFor('breaker-opened event', async () => {
      const r = await db.query(`SELECT payload FROM events WHERE type = 'router.breaker-transitioned' AND payload->>'type' = 'breaker.opened'`);
      return r.rowCount ? r.rows : undefined;
    });
    expect(opened[0].payload).toMatchObject({ key: 'qwen/qwen3-235b-a22b', consecutiveFailures: 3 });
  });

  it('given the reset time has passed and the primary is healthy again, then one probe goes to it and traffic returns', async () => {
    await sim(stack).clear('qwen');
    await new Promise((r) => setTimeout(r, RESET_MS + 100));
    const before = await sim(stack).requests('qwen');
    const r = await ask('after reset');
    expect(r.data.model).toBe('qwen3-235b-a22b');
    await ask('and again');
    expect(await sim(stack).requests('qwen')).toBe(before + 2);
  });

  it('given a 401 from one provider, then it fails over and no other breaker opens', async () => {
    await sim(stack).fault('openai', { type: 'status', status: 401 });
    for (let i = 0; i < 4; i++) {
      const r = await ask(`auth ${i}`, 'openai/gpt-4o');
      expect(r.data.choices[0].message.content).toBe(`echo: auth ${i}`);
    }
    await sim(stack).clear('openai');
    const opened = await db.query(`SELECT payload->>'key' AS key FROM events WHERE type = 'router.breaker-transitioned' AND payload->>'type' = 'breaker.opened'`);
    expect(opened.rows.map((r: { key: string }) => r.key)).toEqual(['qwen/qwen3-235b-a22b']);
  });

  it('given every provider of the chain fails, then the client gets a 503 in the OpenAI shape listing what was tried', async () => {
    for (const p of ['qwen', 'gemini', 'openai', 'claude', 'kimi', 'glm', 'minimax']) await sim(stack).fault(p, { type: 'status', status: 500 });
    const err = await ask('nobody home', 'kimi/kimi-k2-0905-preview').catch((e: unknown) => e);
    for (const p of ['qwen', 'gemini', 'openai', 'claude', 'kimi', 'glm', 'minimax']) await sim(stack).clear(p);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err).toMatchObject({ status: 503, code: 'ROUTER.NO_HEALTHY_PROVIDER' });
    expect((err as Error).message).toContain('kimi/kimi-k2-0905-preview');
  });
});
