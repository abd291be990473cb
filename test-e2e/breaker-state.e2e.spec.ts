import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { type Stack, waitFor } from '@cp/shared/testing';
import { ledgerEvent, simControl as sim, startE2e } from './support/e2e-kit';

interface Trail {
  attempts: { provider: string; outcome: string; errorClass?: string }[];
  breakers: Record<string, string>;
}

/**
 * Breakers live in the data plane: every gateway replica keeps its own and applies the others'
 * transitions. The state must survive a restart (rebuilt from the event store) and reach the other
 * replicas (through the transition events).
 */
describe('provider plane: breaker state across restarts and replicas', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;
  /** The second gateway replica, started by the second test. */
  let second: OpenAI;

  beforeAll(async () => {
    // A reset time far beyond the test: an open breaker stays open unless state is lost.
    ({ stack, client, db, stop } = await startE2e({ label: 'breakers', serviceEnv: { gateway: { CP_BREAKER_RESET_MS: '600000' } } }));
  });

  afterAll(async () => {
    await stop?.();
  });

  const ask = (model: string, text: string, via: OpenAI = client) => via.chat.completions.create({ model, messages: [{ role: 'user', content: text }] }).withResponse();
  const trailOf = async (requestId: string | null) => (await ledgerEvent<{ trail: Trail }>(db, requestId)).trail;
  const openedInStore = (key: string) =>
    waitFor(`breaker ${key} opened in the store`, async () => {
      const r = await db.query(`SELECT 1 FROM events WHERE type = 'router.breaker-transitioned' AND payload->>'key' = $1 AND payload->>'type' = 'breaker.opened'`, [key]);
      return r.rowCount ? true : undefined;
    });

  it('given a breaker opened and the gateway restarts, then the new process starts with it open and sends the provider nothing', async () => {
    await sim(stack).fault('qwen', { type: 'status', status: 503 });
    for (let i = 0; i < 3; i++) await ask('qwen/qwen3-235b-a22b', `open ${i}`);
    await openedInStore('qwen/qwen3-235b-a22b');
    expect(await sim(stack).requests('qwen')).toBe(3);

    await stack.stopService('gateway');
    stack.spawn('gateway');
    await stack.waitHealthy();

    for (let i = 0; i < 5; i++) {
      const r = await ask('qwen/qwen3-235b-a22b', `after restart ${i}`);
      expect(r.data.choices[0].message.content).toBe(`echo: after restart ${i}`);
      expect((await trailOf(r.response.headers.get('x-request-id'))).attempts[0]).toMatchObject({ provider: 'qwen', outcome: 'skipped', errorClass: 'breaker_open' });
    }
    expect(await sim(stack).requests('qwen')).toBe(3);
  });

  it('given a second replica starts, then it restores the open breaker from the store before serving', async () => {
    const url = await stack.spawnGateway('gateway-2');
    second = new OpenAI({ baseURL: `${url}/v1`, apiKey: stack.apiKey, maxRetries: 0 });
    const log = join(stack.logDir, 'gateway-2.log');
    const restored = await waitFor('gateway-2 restored its breakers', async () => {
      const line = readFileSync(log, 'utf8')
        .split('\n')
        .find((l) => l.includes('breakers restored from the event store'));
      return line ? (JSON.parse(line) as { open: string[] }) : undefined;
    });
    expect(restored.open).toEqual(['qwen/qwen3-235b-a22b']);
  });

  it('given two replicas, when one opens a breaker, then the other applies the transition and neither calls the provider again', async () => {
    await sim(stack).fault('openai', { type: 'status', status: 503 });
    // Requests alternate between the replicas, as a load balancer would send them.
    const via = (i: number) => (i % 2 === 0 ? client : second);
    let opened = false;
    for (let i = 0; i < 8 && !opened; i++) {
      const r = await ask('openai/gpt-4o', `trip ${i}`, via(i));
      opened = (await trailOf(r.response.headers.get('x-request-id'))).breakers['openai/gpt-4o'] === 'open';
    }
    expect(opened).toBe(true);
    await openedInStore('openai/gpt-4o');
    // The replica that did not open it has seen at most two failures of its own; without the shared
    // transition it would keep calling openai until its own third failure.
    const before = await sim(stack).requests('openai');
    for (let i = 0; i < 16; i++) {
      const r = await ask('openai/gpt-4o', `shared ${i}`, via(i));
      expect(r.data.choices[0].message.content).toBe(`echo: shared ${i}`);
    }
    expect(await sim(stack).requests('openai')).toBe(before);
  });

  it('given a provider marked misconfigured (401) and the gateways restart after the key is fixed, then the new process tries it at once', async () => {
    await sim(stack).fault('claude', { type: 'status', status: 401 });
    const refused = await ask('claude/claude-sonnet-4-5', 'bad key');
    expect(refused.data.choices[0].message.content).toBe('echo: bad key');
    expect((await trailOf(refused.response.headers.get('x-request-id'))).attempts[0]).toMatchObject({ provider: 'claude', errorClass: 'auth' });
    await openedInStore('claude/claude-sonnet-4-5');
    const before = await sim(stack).requests('claude');
    await ask('claude/claude-sonnet-4-5', 'still bad');
    expect(await sim(stack).requests('claude')).toBe(before);

    await sim(stack).clear('claude');
    await Promise.all([stack.stopService('gateway'), stack.stopService('gateway-2')]);
    stack.spawn('gateway');
    await stack.waitHealthy();
    const fixed = await ask('claude/claude-sonnet-4-5', 'key fixed');
    expect(fixed.data.model).toBe('claude-sonnet-4-5');
    expect(await sim(stack).requests('claude')).toBe(before + 1);
    // Breakers opened by counted failures are still restored.
    const r = await ask('openai/gpt-4o', 'openai still down');
    expect((await trailOf(r.response.headers.get('x-request-id'))).attempts[0]).toMatchObject({ provider: 'openai', outcome: 'skipped', errorClass: 'breaker_open' });
  });
});
