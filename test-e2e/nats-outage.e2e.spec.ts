import { PrivateNatsServer, waitFor } from '@cp/shared/testing';
import { startE2e, type E2e } from './support/e2e-kit';

const OUTAGE_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The gateway is the data plane: a completion never crosses NATS, so NATS going away must not fail
 * one. Ledger events wait in the publisher's bounded buffer and are retried until JetStream takes
 * them; `Nats-Msg-Id` = event id makes a retry of an event that did land harmless. The stack runs
 * against a NATS server of its own, so killing it disturbs no other run.
 */
describe('data plane: the gateway keeps serving while NATS is away', () => {
  const nats = new PrivateNatsServer();
  let e2e: E2e | undefined;

  beforeAll(async () => {
    await nats.start();
    e2e = await startE2e({ label: 'nats-outage', natsUrl: nats.url });
  });

  afterAll(async () => {
    await e2e?.stop();
    await nats.stop();
  });

  it('given NATS is killed for 10 s under requests, then every request is answered 200, and once it is back every ledger event is stored exactly once', async () => {
    const { client, db, stack } = e2e!;
    const ids: string[] = [];
    const ask = async (text: string) => {
      const started = performance.now();
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: text }] }).withResponse();
      ids.push(response.headers.get('x-request-id') ?? '');
      return { ms: performance.now() - started, status: response.status, content: data.choices[0].message.content };
    };
    const askStreamed = async (text: string) => {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: text }] }).withResponse();
      let content = '';
      for await (const chunk of data) content += chunk.choices[0]?.delta.content ?? '';
      ids.push(response.headers.get('x-request-id') ?? '');
      return { status: response.status, content };
    };

    for (let i = 0; i < 3; i++) expect(await ask(`before ${i}`)).toMatchObject({ status: 200, content: `echo: before ${i}` });

    await nats.kill();
    const during: Awaited<ReturnType<typeof ask>>[] = [];
    const until = Date.now() + OUTAGE_MS;
    for (let i = 0; Date.now() < until; i++) {
      during.push(await ask(`during ${i}`));
      expect(await askStreamed(`during streamed ${i}`)).toEqual({ status: 200, content: `echo: during streamed ${i}` });
      await sleep(250);
    }
    // Nothing on the request path waits for NATS: no request came near the bus's 5 s ack timeout.
    expect(during.length).toBeGreaterThanOrEqual(5);
    during.forEach((r, i) => expect([r.status, r.content, r.ms < 2000]).toEqual([200, `echo: during ${i}`, true]));

    await nats.start();
    for (let i = 0; i < 3; i++) expect(await ask(`after ${i}`)).toMatchObject({ status: 200, content: `echo: after ${i}` });

    const stored = await waitFor(
      'every ledger event in the store',
      async () => {
        const r = await db.query(`SELECT correlation_id, count(*)::int AS n FROM events WHERE type = 'gateway.request-completed' GROUP BY correlation_id`);
        return r.rows.length >= ids.length ? (r.rows as { correlation_id: string; n: number }[]) : undefined;
      },
      90_000,
      500,
    );
    expect(stored.map((r) => r.correlation_id).sort()).toEqual([...ids].sort());
    expect(stored.every((r) => r.n === 1)).toBe(true);
    const verify = await fetch(`${stack.gatewayUrl}/v1/audit/verify`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect(await verify.json()).toMatchObject({ ok: true });
  });

  it('given the router is stopped, then requests are still served (the router is off the request path) and recorded, and health says the router is down', async () => {
    const { client, db, stack } = e2e!;
    await stack.stopService('router');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `no router ${i}` }] }).withResponse();
      expect([response.status, data.choices[0].message.content]).toEqual([200, `echo: no router ${i}`]);
      ids.push(response.headers.get('x-request-id') ?? '');
    }
    const health = (await (await fetch(`${stack.gatewayUrl}/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as { status: string; services: Record<string, { status: string }> };
    expect([health.status, health.services.router.status]).toEqual(['degraded', 'down']);
    await waitFor('the events stored', async () => {
      const r = await db.query(`SELECT count(*)::int AS n FROM events WHERE type = 'gateway.request-completed' AND correlation_id = ANY($1)`, [ids]);
      return r.rows[0].n === ids.length ? true : undefined;
    });
    stack.spawn('router');
    await stack.waitHealthy();
  });
});
