import OpenAI from 'openai';
import type { Client } from 'pg';
import { type Stack, waitFor } from '@cp/shared/testing';
import { ledgerEvent, simControl as sim, startE2e } from './support/e2e-kit';

interface Trail {
  attempts: { provider: string; outcome: string; errorClass?: string }[];
  breakers: Record<string, string>;
}

const RESET_MS = 3000;
const QWEN = 'qwen/qwen3-235b-a22b';

/**
 * Two gateway replicas behind one NATS: a breaker opened on one is open on both, and when its reset
 * time comes the router grants the half-open probe to one replica only, so the recovering provider
 * gets one probe from the deployment, not one per replica (docs/routing.md section 5).
 */
describe('provider plane: one half-open probe per provider across gateway replicas', () => {
  let stack: Stack;
  let a: OpenAI;
  let b: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ stack, client: a, db, stop } = await startE2e({ label: 'probes', serviceEnv: { gateway: { CP_BREAKER_RESET_MS: String(RESET_MS) } } }));
    const url = await stack.spawnGateway('gateway-2');
    b = new OpenAI({ baseURL: `${url}/v1`, apiKey: stack.apiKey, maxRetries: 0 });
  });

  afterAll(async () => {
    await stop?.();
  });

  const ask = (via: OpenAI, text: string, model = QWEN) => via.chat.completions.create({ model, messages: [{ role: 'user', content: text }] }).withResponse();
  const trailOf = async (requestId: string | null) => (await ledgerEvent<{ trail: Trail }>(db, requestId)).trail;
  const transitions = async (key: string) =>
    (await db.query(`SELECT payload->>'type' AS type FROM events WHERE type = 'router.breaker-transitioned' AND payload->>'key' = $1 ORDER BY position`, [key])).rows.map((r: { type: string }) => r.type);
  const pastReset = () => new Promise((r) => setTimeout(r, RESET_MS + 300));
  /** One request to each replica at the same time, as a load balancer spreading traffic would send them. */
  const round = (text: string) => Promise.all([ask(a, `${text} via a`), ask(b, `${text} via b`)]);
  /** Sends rounds until the provider counted a request more than `before`: the probe. */
  const roundsUntilProbe = (instance: string, before: number, text: string) =>
    waitFor(`the probe reaching ${instance}`, async () => {
      const answers = await round(text);
      return (await sim(stack).requests(instance)) > before ? answers : undefined;
    });

  it('given a provider failing on replica A, when A opens its breaker, then B skips the provider too without calling it', async () => {
    await sim(stack).fault('qwen', { type: 'status', status: 503 });
    for (let i = 0; i < 3; i++) await ask(a, `fail ${i}`);
    await waitFor('breaker opened in the store', async () => ((await transitions(QWEN)).includes('breaker.opened') ? true : undefined));
    expect(await sim(stack).requests('qwen')).toBe(3);

    for (let i = 0; i < 4; i++) {
      const r = await ask(b, `on b ${i}`);
      expect(r.data.choices[0].message.content).toBe(`echo: on b ${i}`);
      expect((await trailOf(r.response.headers.get('x-request-id'))).attempts[0]).toMatchObject({ provider: 'qwen', outcome: 'skipped', errorClass: 'breaker_open' });
    }
    expect(await sim(stack).requests('qwen')).toBe(3);
  });

  it('given the reset time passed and the provider still fails, when both replicas get traffic, then one probe reaches it and both keep skipping it', async () => {
    await pastReset();
    const before = await sim(stack).requests('qwen');
    const answers = await roundsUntilProbe('qwen', before, 'still down');
    // Every client got an answer from the fallback, the probe's included.
    answers.forEach((r) => expect(r.data.choices[0].message.content).toMatch(/^echo: still down via [ab]$/));
    for (let i = 0; i < 3; i++) await round(`after the failed probe ${i}`);
    expect(await sim(stack).requests('qwen')).toBe(before + 1);
    await waitFor('the probe failed and reopened the breaker', async () => ((await transitions(QWEN)).length === 3 ? true : undefined));
    expect(await transitions(QWEN)).toEqual(['breaker.opened', 'breaker.half-opened', 'breaker.opened']);
  });

  it('given the provider recovered and the reset time passed, when both replicas get traffic at once, then exactly one probe reaches it and afterwards both send it traffic', async () => {
    // The probe answers after a while: the other replica's concurrent request must find the probe taken, not the breaker closed.
    await sim(stack).fault('qwen', { type: 'latency', ms: 500, times: 1 });
    await pastReset();
    const before = await sim(stack).requests('qwen');
    const answers = await roundsUntilProbe('qwen', before, 'recovered');
    expect(await sim(stack).requests('qwen')).toBe(before + 1);
    const servedByQwen = answers.filter((r) => r.data.model === 'qwen3-235b-a22b');
    expect(servedByQwen).toHaveLength(1);
    const other = answers.find((r) => r !== servedByQwen[0]);
    expect((await trailOf(other!.response.headers.get('x-request-id'))).attempts[0]).toMatchObject({ provider: 'qwen', outcome: 'skipped', errorClass: 'breaker_open' });

    await waitFor('breaker closed in the store', async () => ((await transitions(QWEN)).at(-1) === 'breaker.closed' ? true : undefined));
    const [viaA, viaB] = await round('back');
    expect(viaA.data.model).toBe('qwen3-235b-a22b');
    expect(viaB.data.model).toBe('qwen3-235b-a22b');
    expect(await sim(stack).requests('qwen')).toBe(before + 3);
    // One half-open for the whole deployment in each open period.
    expect(await transitions(QWEN)).toEqual(['breaker.opened', 'breaker.half-opened', 'breaker.opened', 'breaker.half-opened', 'breaker.closed']);
  });

  it('given the router is down, when a breaker reaches its reset time, then a replica probes on its own (availability first)', async () => {
    await stack.stopService('router');
    await sim(stack).fault('openai', { type: 'status', status: 503 });
    for (let i = 0; i < 3; i++) await ask(a, `openai fails ${i}`, 'openai/gpt-4o');
    await waitFor('openai breaker opened in the store', async () => ((await transitions('openai/gpt-4o')).includes('breaker.opened') ? true : undefined));
    await sim(stack).clear('openai');
    await pastReset();
    const before = await sim(stack).requests('openai');
    const r = await waitFor('a probe without the router', async () => {
      const answer = await ask(a, 'no router', 'openai/gpt-4o');
      return answer.data.model === 'gpt-4o' ? answer : undefined;
    });
    expect(r.data.model).toBe('gpt-4o');
    expect(await sim(stack).requests('openai')).toBe(before + 1);
  });
});
