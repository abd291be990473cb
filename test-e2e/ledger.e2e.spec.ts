import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { waitFor } from '@cp/shared/testing';
import { newId } from '@cp/shared/contracts';
import { startE2e, type E2e } from './support/e2e-kit';

/** The ledger on the running stack: nothing a client sends, and no auditor crash, loses an event. */
describe('ledger: nothing lost', () => {
  let e2e: E2e;
  const auth = () => ({ authorization: `Bearer ${e2e.stack.apiKey}`, 'content-type': 'application/json' });
  const get = async (path: string) => (await fetch(`${e2e.stack.gatewayUrl}${path}`, { headers: auth() })).json() as Promise<any>;
  const chat = (body: unknown) => fetch(`${e2e.stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: auth(), body: JSON.stringify(body) });
  const eventsOf = async (requestId: string) => Number((await e2e.db.query(`SELECT count(*) AS n FROM events WHERE correlation_id = $1 AND type = 'gateway.request-completed'`, [requestId])).rows[0].n);

  beforeAll(async () => {
    e2e = await startE2e({ label: 'ledger' });
  });

  afterAll(async () => {
    await e2e?.stop();
  });

  it('given identifiers with control characters or unpaired surrogates, then each is a 400 naming the field, and nothing is recorded', async () => {
    const cases: [unknown, string][] = [
      [{ model: 'gpt-4o\u0000', messages: [{ role: 'user', content: 'hi' }] }, 'model'],
      [{ model: 'gpt-4o\ud800', messages: [{ role: 'user', content: 'hi' }] }, 'model'],
      [{ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'get\u0007weather' } }] }, 'tools.0.function.name'],
    ];
    const probe = await fetch(`${e2e.stack.gatewayUrl}/v1/providers/probe`, { method: 'POST', headers: auth(), body: JSON.stringify({ provider: 'qwen\u0000' }) });
    expect(probe.status).toBe(400);
    expect(((await probe.json()) as { error: { param: string } }).error.param).toBe('provider');
    for (const [body, param] of cases) {
      const res = await chat(body);
      expect(res.status).toBe(400);
      const err = (await res.json()) as { error: { param: string; message: string; type: string } };
      expect(err.error).toMatchObject({ param, type: 'invalid_request_error' });
      expect(err.error.message).toContain('control characters');
    }
  });

  it("given a client's own x-request-id, then a sane one is kept, returned and used in the ledger, and anything else is replaced", async () => {
    const own = `agent-run-42.step:7-${Date.now()}`;
    const kept = await fetch(`${e2e.stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { ...auth(), 'x-request-id': own }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'mine' }] }) });
    expect(kept.status).toBe(200);
    expect(kept.headers.get('x-request-id')).toBe(own);
    await waitFor('the event under the client id', async () => ((await eventsOf(own)) === 1 ? true : undefined));
    const odd = await fetch(`${e2e.stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { ...auth(), 'x-request-id': `x ${'y'.repeat(300)}` }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'odd' }] }) });
    expect(odd.status).toBe(200);
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('given a message content with NUL and a lone surrogate, then the request is served and its ledger event stored', async () => {
    const res = await chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'nul \u0000 and \udc00 here' }] });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    await waitFor('the event stored', async () => ((await eventsOf(requestId)) === 1 ? true : undefined));
  });

  it('given a poison event on the stream, then it is parked with its reason, later requests are still stored, the chain verifies, and it can be re-submitted once fixed', async () => {
    const nc = await connect({ servers: e2e.stack.iso.natsUrl });
    const poison = { id: newId(), type: 'test.poisoned', version: 1, streamId: 'poison', source: 'test', occurredAt: new Date().toISOString(), correlationId: 'poison', causationId: null, traceparent: null, payload: { text: 'a\u0000b' } };
    try {
      await jetstream(nc).publish(`${e2e.stack.iso.namespace}.cp.test.poisoned.v1`, JSON.stringify(poison));
    } finally {
      await nc.close();
    }
    await waitFor('parked', async () => ((await get('/v1/audit/status')).parked === 1 ? true : undefined), 20_000);
    const after = await chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'after the poison' }] });
    expect(after.status).toBe(200);
    await waitFor('the later request stored', async () => ((await eventsOf(after.headers.get('x-request-id')!)) === 1 ? true : undefined));
    expect(await get('/v1/audit/verify')).toMatchObject({ ok: true, firstBrokenPosition: null });

    // Health shows it too, refreshed every 2 s so that a health call costs the auditor nothing.
    await waitFor('health shows the parked message', async () => ((await get('/health')).services.auditor.ledger?.parked === 1 ? true : undefined), 10_000);
    const { parked } = await get('/v1/audit/parked');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ consumer: 'auditor', reason: expect.stringContaining('refused by the store') });
    const whole = await get(`/v1/audit/parked/${parked[0].parkedSeq}`);
    expect(JSON.parse(whole.data)).toEqual(poison);

    // As it was, the store still refuses it: a clear error, and it stays parked.
    const again = await fetch(`${e2e.stack.gatewayUrl}/v1/audit/parked/${parked[0].parkedSeq}/resubmit`, { method: 'POST', headers: auth(), body: '{}' });
    expect(again.status).toBe(422);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('store_refused');
    const fixed = await fetch(`${e2e.stack.gatewayUrl}/v1/audit/parked/${parked[0].parkedSeq}/resubmit`, { method: 'POST', headers: auth(), body: JSON.stringify({ events: [{ ...poison, payload: { text: 'a b' } }] }) });
    expect(fixed.status).toBe(200);
    expect(await fixed.json()).toEqual({ ok: true, stored: 1, duplicates: 0 });
    expect((await e2e.db.query(`SELECT payload FROM events WHERE id = $1`, [poison.id])).rows[0].payload).toEqual({ text: 'a b' });
    await waitFor('nothing parked', async () => ((await get('/v1/audit/status')).parked === 0 ? true : undefined));
    expect(await get('/v1/audit/verify')).toMatchObject({ ok: true });
  });

  it('given the auditor is killed with SIGKILL under load and brought back, then every answered request has exactly one ledger event', async () => {
    const total = 240;
    const ids: string[] = [];
    let sent = 0;
    const worker = async () => {
      while (sent < total) {
        sent++;
        const res = await chat({ model: 'gpt-4o', messages: [{ role: 'user', content: `load ${sent}` }] });
        if (res.status === 200) ids.push(res.headers.get('x-request-id')!);
        await res.arrayBuffer();
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    await waitFor('load under way', async () => (ids.length >= 60 ? true : undefined), 20_000, 5);
    e2e.stack.procs.get('auditor')!.kill('SIGKILL');
    await waitFor('more load while the auditor is dead', async () => (ids.length >= 140 ? true : undefined), 20_000, 5);
    e2e.stack.spawn('auditor');
    await load;
    expect(ids).toHaveLength(total);
    await waitFor('every request stored', async () => {
      const r = await e2e.db.query(`SELECT count(*) AS n FROM events WHERE type = 'gateway.request-completed' AND correlation_id = ANY($1)`, [ids]);
      return Number(r.rows[0].n) === total ? true : undefined;
    }, 60_000, 250);
    const dup = await e2e.db.query(`SELECT correlation_id FROM events WHERE type = 'gateway.request-completed' AND correlation_id = ANY($1) GROUP BY correlation_id HAVING count(*) > 1`, [ids]);
    expect(dup.rows).toEqual([]);
    await e2e.stack.waitHealthy();
    expect(await get('/v1/audit/verify')).toMatchObject({ ok: true });
    await waitFor('no lag', async () => ((await get('/v1/audit/status')).lag === 0 ? true : undefined), 20_000);
  });
});
