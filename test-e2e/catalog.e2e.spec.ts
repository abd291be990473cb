import type OpenAI from 'openai';
import type { Client } from 'pg';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { parseProviderRegistry } from '@cp/router/domain';
import type { CapabilityName, MatrixEntry } from '@cp/shared/contracts';
import { REPO_ROOT, Stack, waitFor } from '@cp/shared/testing';
import { simControl as sim, startE2e } from './support/e2e-kit';

/** The shipped registry, resolved as the router resolves it in the stack (no keys: every provider simulated). */
const registry = parseProviderRegistry(readFileSync(join(REPO_ROOT, 'config/providers.yaml'), 'utf8'), {}, 'http://sim.invalid');
const registryIds = registry.providers.flatMap((p) => p.models.map((m) => `${p.id}/${m.id}`));
const CAPS: CapabilityName[] = ['tools', 'vision', 'streaming', 'jsonMode'];

interface MatrixBody {
  object: 'list';
  generated_at: string;
  data: MatrixEntry[];
}

/** `status` of every capability of one matrix row, undeclared ones included. */
const statuses = (entry: MatrixEntry | undefined) => (entry ? Object.fromEntries(CAPS.map((c) => [c, entry.capabilities[c].status])) : undefined);
/** What a row looks like when every declared capability has the given status. */
const expected = (entry: MatrixEntry, status: string) => Object.fromEntries(CAPS.map((c) => [c, entry.capabilities[c].declared ? status : 'unsupported']));

describe('models and the compatibility matrix through the gateway', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;
  const PROBE_TIMEOUT_MS = 1500;

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, requestId: res.headers.get('x-request-id'), body: (await res.json()) as MatrixBody & { error?: { code: string; type: string } } };
  };
  const row = (body: MatrixBody, id: string) => body.data.find((e) => e.id === id);

  beforeAll(async () => {
    ({ stack, client, db, stop } = await startE2e({ label: 'catalog', serviceEnv: { router: { CP_PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS) } } }));
  });

  afterAll(async () => {
    await stop?.();
  });

  it('given the registry, then the openai SDK lists `auto`, every route name and every model as provider/model, owned by its provider', async () => {
    const models = [];
    for await (const m of client.models.list()) models.push(m);
    expect(models.map((m) => m.id)).toEqual(['auto', ...Object.keys(registry.routes), ...registryIds]);
    expect(models.find((m) => m.id === 'claude/claude-sonnet-4-5')).toMatchObject({ object: 'model', owned_by: 'claude', created: expect.any(Number) });
    expect(models.find((m) => m.id === 'auto')).toMatchObject({ owned_by: 'control-plane' });
    expect(await client.models.retrieve('openai/gpt-4o')).toMatchObject({ id: 'openai/gpt-4o', owned_by: 'openai' });
    const missing = await client.models.retrieve('nobody/nothing').catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('given no probe has run, then every declared capability is `declared` and the rest `unsupported`', async () => {
    const { status, body } = await call('GET', '/v1/providers/matrix');
    expect(status).toBe(200);
    expect(body.data.map((e) => e.id)).toEqual(registryIds);
    for (const entry of body.data) {
      expect(entry.simulated).toBe(true);
      expect(entry.completion.status).toBe('unchecked');
      expect([entry.id, statuses(entry)]).toEqual([entry.id, expected(entry, 'declared')]);
    }
    expect(row(body, 'claude/claude-sonnet-4-5')).toMatchObject({ wire: 'anthropic', contextWindow: 200000, maxOutput: 64000, price: { currency: 'USD', inputPerMTok: 3, outputPerMTok: 15 } });
  });

  it('given a probe run with glm streaming too slowly and minimax down, then OpenAI-, Anthropic- and Gemini-wire models are verified, the faults show as failed, and the breakers did not count the probes', async () => {
    await sim(stack).fault('glm', { type: 'slow_stream', ms: 1000 });
    await sim(stack).fault('minimax', { type: 'status', status: 503 });
    const { status, body, requestId } = await call('POST', '/v1/providers/probe', {});
    await sim(stack).clear('glm');
    await sim(stack).clear('minimax');
    expect(status).toBe(200);

    for (const id of ['qwen/qwen3-235b-a22b', 'openai/gpt-4o', 'claude/claude-sonnet-4-5', 'gemini/gemini-2.5-flash', 'gemini/gemini-2.5-pro', 'kimi/kimi-k2-0905-preview']) {
      const entry = row(body, id)!;
      expect([id, entry.completion.status, statuses(entry)]).toEqual([id, 'verified', expected(entry, 'verified')]);
    }
    expect(row(body, 'claude/claude-sonnet-4-5')?.capabilities.tools).toMatchObject({ declared: true, status: 'verified', checkedAt: expect.any(String), detail: 'called report_probe' });
    expect(statuses(row(body, 'glm/glm-4.6'))).toEqual({ tools: 'verified', vision: 'unsupported', streaming: 'failed', jsonMode: 'verified' });
    expect(row(body, 'glm/glm-4.6')?.capabilities.streaming.detail).toBe('timeout (total)');
    expect(row(body, 'minimax/MiniMax-M2')).toMatchObject({ completion: { status: 'failed', detail: 'HTTP 503' }, capabilities: { tools: { status: 'failed', detail: 'HTTP 503' } } });

    // The matrix keeps the results.
    const after = await call('GET', '/v1/providers/matrix');
    expect(statuses(row(after.body, 'glm/glm-4.6'))).toEqual(statuses(row(body, 'glm/glm-4.6')));

    // One ledger event per model, correlated with the probe request.
    const events = await waitFor('capability-probed events', async () => {
      const r = await db.query(`SELECT payload FROM events WHERE type = 'router.capability-probed' AND correlation_id = $1`, [requestId]);
      return r.rowCount === registryIds.length ? r.rows.map((x: { payload: { key: string; trigger: string; capabilities: Record<string, { status: string }> } }) => x.payload) : undefined;
    });
    expect(events.map((e) => e.key).sort()).toEqual([...registryIds].sort());
    expect(events.find((e) => e.key === 'glm/glm-4.6')).toMatchObject({ trigger: 'rpc', capabilities: { streaming: { status: 'failed' } } });

    // minimax failed three probes (the breaker threshold), yet no breaker opened: its model serves the next completion.
    const r = await client.chat.completions.create({ model: 'minimax/MiniMax-M2', messages: [{ role: 'user', content: 'still there?' }] });
    expect(r.model).toBe('MiniMax-M2');
    const transitions = await db.query(`SELECT 1 FROM events WHERE type = 'router.breaker-transitioned'`);
    expect(transitions.rowCount).toBe(0);
  });

  it('given a vision model whose provider answers an image with nothing, then only vision fails, and probing one model leaves the other rows alone', async () => {
    const before = await call('GET', '/v1/providers/matrix');
    // Probe order is completion, streaming, tools, vision: the fourth reply answers the image.
    await sim(stack).script('glm', [{ content: 'OK' }, { content: '1 2 3 4 5' }, { toolCalls: [{ name: 'report_probe', arguments: { status: 'ok' } }] }, { content: '' }]);
    const { status, body } = await call('POST', '/v1/providers/probe', { model: 'glm/glm-4.5v' });
    expect(status).toBe(200);
    expect(statuses(row(body, 'glm/glm-4.5v'))).toEqual({ tools: 'verified', vision: 'failed', streaming: 'verified', jsonMode: 'unsupported' });
    expect(row(body, 'glm/glm-4.5v')?.capabilities.vision.detail).toBe('no text answer to the image');
    expect(row(body, 'glm/glm-4.6')).toEqual(row(before.body, 'glm/glm-4.6'));
  });

  it('given the cpctl CLI, then `providers probe` and `providers matrix` print one row per model and fail on a failed capability', async () => {
    const cpctl = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(REPO_ROOT, 'dist/apps/cpctl/src/main.js'), ...args], { env: { PATH: process.env.PATH, CP_GATEWAY_URL: stack.gatewayUrl, CP_API_KEY: stack.apiKey } });
    const probed = await cpctl('providers', 'probe', '--provider', 'kimi');
    expect(probed.stdout).toMatch(/^kimi\/kimi-k2-0905-preview\s+openai\s+yes\s+verified\s+verified\s+unsupported\s+verified\s+verified\s+closed$/m);
    const matrix = await cpctl('providers', 'matrix');
    const lines = matrix.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('failed: '))).toHaveLength(1 + registryIds.length);
    expect(lines.filter((l) => l.startsWith('failed: '))).toEqual([
      'failed: minimax/MiniMax-M2 completion: HTTP 503',
      'failed: minimax/MiniMax-M2 tools: HTTP 503',
      'failed: minimax/MiniMax-M2 streaming: HTTP 503',
      'failed: glm/glm-4.6 streaming: timeout (total)',
      'failed: glm/glm-4.5v vision: no text answer to the image',
    ]);
    await sim(stack).fault('kimi', { type: 'status', status: 500 });
    const failing = await cpctl('providers', 'probe', '--model', 'kimi/kimi-k2-0905-preview').catch((e: { code: number; stdout: string }) => e);
    await sim(stack).clear('kimi');
    expect(failing).toMatchObject({ code: 1, stdout: expect.stringContaining('failed: kimi/kimi-k2-0905-preview tools: HTTP 500') });
  });

  it('given the router restarts, then the new process restores the last probe of every model from the event store', async () => {
    // Every probe so far: the full run, glm-4.5v, and cpctl's two kimi probes.
    await waitFor('every probe stored', async () => {
      const r = await db.query(`SELECT count(*)::int AS n FROM events WHERE type = 'router.capability-probed'`);
      return r.rows[0].n === registryIds.length + 3 ? true : undefined;
    });
    const before = await call('GET', '/v1/providers/matrix');
    await stack.stopService('router');
    stack.spawn('router');
    await stack.waitHealthy();
    const after = await call('GET', '/v1/providers/matrix');
    expect(after.status).toBe(200);
    expect(after.body.data).toEqual(before.body.data);
    expect(statuses(row(after.body, 'glm/glm-4.6'))).toEqual({ tools: 'verified', vision: 'unsupported', streaming: 'failed', jsonMode: 'verified' });
    expect(row(after.body, 'kimi/kimi-k2-0905-preview')?.capabilities.tools).toMatchObject({ status: 'failed', detail: 'HTTP 500' });
  });

  it('given a bad probe request, then the errors come in the OpenAI shape', async () => {
    const unknown = await call('POST', '/v1/providers/probe', { provider: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'ROUTER.UNKNOWN_MODEL', type: 'invalid_request_error' });
    const typo = await call('POST', '/v1/providers/probe', { providers: 'qwen' });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatchObject({ type: 'invalid_request_error' });
    const anonymous = await fetch(`${stack.gatewayUrl}/v1/providers/matrix`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
  });

  it('given a provider that refuses its key, then its rows show the breaker open and misconfigured, in the API and in cpctl', async () => {
    await sim(stack).fault('kimi', { type: 'status', status: 401 });
    const served = await client.chat.completions.create({ model: 'kimi/kimi-k2-0905-preview', messages: [{ role: 'user', content: 'bad key' }] });
    await sim(stack).clear('kimi');
    expect(served.model).not.toBe('kimi-k2-0905-preview');
    const { body } = await call('GET', '/v1/providers/matrix');
    expect(row(body, 'kimi/kimi-k2-0905-preview')?.breaker).toEqual({ state: 'open', consecutiveFailures: 1, openedAt: expect.any(String), reason: 'provider misconfigured: HTTP 401: key rejected', misconfigured: true });
    expect(row(body, 'qwen/qwen3-235b-a22b')?.breaker).toEqual({ state: 'closed', consecutiveFailures: 0 });
    const matrix = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'dist/apps/cpctl/src/main.js'), 'providers', 'matrix'], { env: { PATH: process.env.PATH, CP_GATEWAY_URL: stack.gatewayUrl, CP_API_KEY: stack.apiKey } }).catch((e: { stdout: string }) => e);
    expect(matrix.stdout).toMatch(/^kimi\/kimi-k2-0905-preview\s.*\sopen \(misconfigured\)$/m);
  });
});

describe('probes at boot (CP_PROBE_ON_BOOT=true)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await new Stack({ label: 'catalog-boot', serviceEnv: { router: { CP_PROBE_ON_BOOT: 'true' } } }).start();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('given the router probes at boot, then the matrix fills in by itself, every model verified', async () => {
    const entries = await waitFor('boot probes in the matrix', async () => {
      const res = await fetch(`${stack.gatewayUrl}/v1/providers/matrix`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
      const body = (await res.json()) as MatrixBody;
      return body.data.every((e) => e.completion.status !== 'unchecked') ? body.data : undefined;
    });
    for (const entry of entries) expect([entry.id, statuses(entry)]).toEqual([entry.id, expected(entry, 'verified')]);
  });
});
