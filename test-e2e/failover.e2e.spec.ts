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
    ({ stack, client, db, stop } = await startE2e({ label: 'failover', serviceEnv: { gateway: { CP_BREAKER_RESET_MS: String(RESET_MS) } } }));
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

  it('given a 401 from one provider, then it fails over, the whole provider is skipped with one alert per model, no other provider\'s breaker opens, and it comes back after the reset', async () => {
    await sim(stack).fault('openai', { type: 'status', status: 401 });
    const before = await sim(stack).requests('openai');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await ask(`auth ${i}`, 'openai/gpt-4o'));
    results.forEach((r, i) => expect(r.data.choices[0].message.content).toBe(`echo: auth ${i}`));
    // One refused call; after it the provider is skipped without a network call, its other model too.
    expect(await sim(stack).requests('openai')).toBe(before + 1);
    const firstTrail = await trailOf(results[0].response.headers.get('x-request-id'));
    expect(firstTrail.attempts[0]).toMatchObject({ provider: 'openai', outcome: 'error', errorClass: 'auth' });
    expect((await trailOf(results[3].response.headers.get('x-request-id'))).attempts[0]).toMatchObject({ provider: 'openai', outcome: 'skipped', errorClass: 'breaker_open' });
    const mini = await ask('the other model', 'openai/gpt-4o-mini');
    expect(mini.data.choices[0].message.content).toBe('echo: the other model');
    expect(await sim(stack).requests('openai')).toBe(before + 1);

    const opened = await waitFor('the misconfigured alerts in the store', async () => {
      const r = await db.query(`SELECT payload FROM events WHERE type = 'router.breaker-transitioned' AND payload->>'type' = 'breaker.opened' ORDER BY position`);
      return r.rows.length === 3 ? r.rows.map((x: { payload: { key: string; misconfigured?: boolean; reason: string } }) => x.payload) : undefined;
    });
    expect(opened[0]).toMatchObject({ key: 'qwen/qwen3-235b-a22b' });
    expect(opened[0].misconfigured).toBeUndefined();
    expect(opened.slice(1).map((t) => [t.key, t.misconfigured, t.reason])).toEqual([
      ['openai/gpt-4o', true, 'provider misconfigured: HTTP 401: key rejected'],
      ['openai/gpt-4o-mini', true, 'provider misconfigured: HTTP 401: key rejected'],
    ]);

    // The operator fixes the key: after the reset time one probe goes through and the provider serves again.
    await sim(stack).clear('openai');
    await new Promise((r) => setTimeout(r, RESET_MS + 100));
    const back = await ask('key fixed', 'openai/gpt-4o');
    expect(back.data.model).toBe('gpt-4o');
    expect(await sim(stack).requests('openai')).toBe(before + 2);
  });

  it('given 403s (access denied) for one model, then they count like failures: the third in a row marks only that model, and the provider\'s other model is still tried', async () => {
    await sim(stack).fault('glm', { type: 'status', status: 403 });
    const before = await sim(stack).requests('glm');
    for (let i = 0; i < 4; i++) {
      const r = await ask(`no access ${i}`, 'glm/glm-4.6');
      expect(r.data.choices[0].message.content).toBe(`echo: no access ${i}`);
    }
    // Three refused calls, then the model is skipped.
    expect(await sim(stack).requests('glm')).toBe(before + 3);
    const other = await ask('the other model', 'glm/glm-4.5v');
    expect(other.data.choices[0].message.content).toBe('echo: the other model');
    expect(await sim(stack).requests('glm')).toBe(before + 4);
    await sim(stack).clear('glm');
    const marked = await waitFor('the glm mark in the store', async () => {
      const r = await db.query(`SELECT payload->>'key' AS key, payload->>'reason' AS reason FROM events WHERE type = 'router.breaker-transitioned' AND payload->>'provider' = 'glm' ORDER BY position`);
      return r.rows.length === 1 ? r.rows : undefined;
    });
    expect(marked).toEqual([{ key: 'glm/glm-4.6', reason: 'provider misconfigured: HTTP 403: access denied' }]);
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
