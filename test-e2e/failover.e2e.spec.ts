import OpenAI from 'openai';
import { Client } from 'pg';
import { Stack, waitFor } from '@cp/shared/testing';

/** Drives provider-sim's control API for one named provider instance. */
const sim = (stack: Stack) => ({
  fault: (instance: string, body: Record<string, unknown>) => fetch(`${stack.simUrl}/_sim/instances/${instance}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  clear: (instance: string) => fetch(`${stack.simUrl}/_sim/instances/${instance}/faults`, { method: 'DELETE' }),
  requests: async (instance: string) => ((await (await fetch(`${stack.simUrl}/_sim/instances/${instance}/stats`)).json()) as { requests: number }).requests,
});

interface Attempt {
  provider: string;
  outcome: string;
  errorClass?: string;
}

describe('provider plane: failover and circuit breakers through the gateway', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  const RESET_MS = 1500;

  beforeAll(async () => {
    stack = await new Stack({ label: 'failover', serviceEnv: { router: { CP_BREAKER_RESET_MS: String(RESET_MS) } } }).start();
    client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0 });
    db = new Client({ connectionString: stack.iso.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  const ask = (text: string, model = 'qwen/qwen3-235b-a22b') => client.chat.completions.create({ model, messages: [{ role: 'user', content: text }] }).withResponse();
  const trailOf = async (requestId: string | null) =>
    waitFor('ledger event', async () => {
      const r = await db.query(`SELECT payload FROM events WHERE correlation_id = $1 AND type = 'gateway.request-completed'`, [requestId]);
      return r.rowCount ? (r.rows[0].payload as { trail: { attempts: Attempt[]; failover: boolean } }).trail : undefined;
    });

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
