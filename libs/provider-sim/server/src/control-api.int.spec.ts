import { startProviderSim, type ProviderSim } from './index';
import { errorCodes, rejectionOf } from './testing/error-codes';
import { SimControl } from './testing/sim-control';

const CHAT = { model: 'm', messages: [{ role: 'user', content: 'ping' }] };

describe('provider-sim control API and routing', () => {
  let sim: ProviderSim;
  let control: SimControl;

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    control = new SimControl(sim.url);
  });
  afterAll(() => sim.close());
  beforeEach(() => control.reset());

  describe('Given the health endpoint', () => {
    it('When fetched, Then it answers ok', async () => {
      const res = await fetch(`${sim.url}/health`);
      expect(await res.json()).toEqual({ status: 'ok' });
    });
  });

  describe('Given requests to several instances', () => {
    it('When stats are read, Then each instance counts its own requests and hides credentials', async () => {
      await post('/alpha/v1/chat/completions', CHAT, { authorization: 'Bearer secret-1', 'x-api-key': 'secret-2', 'x-trace': 't1' });
      await post('/alpha/v1/chat/completions', CHAT);
      await post('/beta/v1/messages', { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'secret-3' });
      const alpha = await control.stats('alpha');
      const beta = await control.stats('beta');
      expect(alpha).toMatchObject({ requests: 2, lastRequest: { path: '/alpha/v1/chat/completions', body: CHAT } });
      expect(beta).toMatchObject({ requests: 1, lastRequest: { path: '/beta/v1/messages' } });
      expect(JSON.stringify([alpha, beta])).not.toMatch(/secret-/);
      expect(await control.stats('gamma')).toEqual({ requests: 0, lastRequest: null });
    });

    it('When a fault is set on one instance, Then the others are unaffected', async () => {
      await control.fault('alpha', { type: 'status', status: 500 });
      expect((await post('/alpha/v1/chat/completions', CHAT)).status).toBe(500);
      expect((await post('/beta/v1/chat/completions', CHAT)).status).toBe(200);
    });

    it('When unprefixed paths and /default are used, Then they address the same instance', async () => {
      await control.script('default', [{ content: 'first' }, { content: 'second' }]);
      const a = await (await post('/v1/chat/completions', CHAT)).json();
      const b = await (await post('/default/v1/chat/completions', CHAT)).json();
      expect([a, b]).toMatchObject([{ choices: [{ message: { content: 'first' } }] }, { choices: [{ message: { content: 'second' } }] }]);
    });
  });

  describe('Given a reset', () => {
    it('When posted, Then faults, scripts, stats and dedicated listeners are gone', async () => {
      const { url } = await control.listener('alpha');
      await control.script('alpha', [{ content: 'scripted' }]);
      await control.fault('alpha', { type: 'status', status: 502 });
      await control.reset();
      expect(await control.stats('alpha')).toEqual({ requests: 0, lastRequest: null });
      const res = await post('/alpha/v1/chat/completions', CHAT);
      expect(await res.json()).toMatchObject({ choices: [{ message: { content: 'echo: ping' } }] });
      const err = await rejectionOf(fetch(`${url}/health`));
      expect(errorCodes(err)).toContain('ECONNREFUSED');
    });
  });

  describe('Given invalid control calls', () => {
    it('When the instance name is reserved or malformed, Then 400 with a stable code', async () => {
      for (const name of ['v1', 'health', 'Upper', '-dash']) {
        const res = await post(`/_sim/instances/${name}/faults`, { type: 'reset' });
        expect([name, res.status, await res.json()]).toMatchObject([name, 400, { error: { code: 'SIM.INVALID_INSTANCE_NAME' } }]);
      }
    });

    it('When the fault type is unknown, Then 400 SIM.INVALID_CONTROL_BODY', async () => {
      const res = await post('/_sim/instances/alpha/faults', { type: 'explode' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'SIM.INVALID_CONTROL_BODY' } });
    });

    it('When the route does not exist, Then 404 SIM.UNKNOWN_CONTROL_ROUTE', async () => {
      const res = await post('/_sim/instances/alpha/nothing', {});
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'SIM.UNKNOWN_CONTROL_ROUTE' } });
    });
  });

  describe('Given bad provider requests', () => {
    it('When the body is not JSON, Then each format answers 400 in its own error shape', async () => {
      const openai = await (await post('/x/v1/chat/completions', '{nope')).json();
      const anthropic = await (await post('/x/v1/messages', '{nope')).json();
      const gemini = await (await post('/x/v1beta/models/g:generateContent', '{nope')).json();
      expect(openai).toMatchObject({ error: { type: 'invalid_request_error' } });
      expect(anthropic).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(gemini).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    });

    it('When messages are missing, Then the OpenAI route answers 400', async () => {
      const res = await post('/x/v1/chat/completions', { model: 'm' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining('messages') } });
    });

    it('When the path is unknown, Then 404 in the OpenAI shape', async () => {
      const res = await fetch(`${sim.url}/x/v1/audio/speech`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    });
  });
});
