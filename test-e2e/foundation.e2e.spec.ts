import { connect } from '@nats-io/transport-node';
import OpenAI from 'openai';
import type { Client } from 'pg';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { OtlpReceiver, REPO_ROOT, type Stack, waitFor } from '@cp/shared/testing';
import { simControl, startE2e } from './support/e2e-kit';

const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Verify {
  ok: boolean;
  count: number;
  headHash: string | null;
  firstBrokenPosition: number | null;
  problem?: { kind: string; position: number };
}

const GATEWAY_BODY_LIMIT = 16 * 1024 * 1024;

describe('foundation: the six services end to end', () => {
  const otlp = new OtlpReceiver();
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;

  const verify = async (full = false): Promise<Verify> => {
    const res = await fetch(`${stack.gatewayUrl}/v1/audit/verify${full ? '?full=true' : ''}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Verify;
  };
  const storedCount = async (): Promise<number> => Number((await db.query('SELECT count(*) AS n FROM events')).rows[0].n);

  beforeAll(async () => {
    const endpoint = await otlp.start();
    // A body limit above any NATS max payload (1 MiB by default, 8 MiB with infra/nats/nats.conf), so the bus limit can be shown.
    ({ stack, client, db, stop } = await startE2e({ label: 'found', env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, serviceEnv: { gateway: { CP_GATEWAY_BODY_LIMIT_BYTES: String(GATEWAY_BODY_LIMIT) } } }));
  });

  afterAll(async () => {
    await stop?.();
    await otlp.stop();
  });

  it('given the stack is up, when /health is asked with a key, then all six services are up with the version; without one, only the verdict', async () => {
    const anonymous = await fetch(`${stack.gatewayUrl}/health`);
    expect([anonymous.status, await anonymous.json()]).toEqual([200, { status: 'ok' }]);
    const health = (await (await fetch(`${stack.gatewayUrl}/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as { version: string; services: Record<string, { status: string; version: string }> };
    expect(health.version).toBe(version);
    expect(Object.keys(health.services).sort()).toEqual(['auditor', 'gateway', 'memory-plane', 'router', 'slo-collector', 'tool-governor']);
    for (const s of Object.values(health.services)) expect(s).toMatchObject({ status: 'up', version });
  });

  it('given a key, when the openai SDK asks for a completion, then the content comes from provider-sim and is stored as one ledger event', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello from the sdk' }] }).withResponse();
    expect(data.choices[0].message.content).toBe('echo: hello from the sdk');
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();

    const rows = await waitFor('the ledger event', async () => {
      const r = await db.query('SELECT type, stream_id, payload FROM events WHERE correlation_id = $1', [requestId]);
      return r.rowCount ? r.rows : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'gateway.request-completed', stream_id: `request:${requestId}` });
    expect(rows[0].payload).toMatchObject({ requestId, status: 200, outcome: 'ok', model: 'gpt-4o', trail: { failover: false } });

    const v = await verify();
    expect(v).toMatchObject({ ok: true, firstBrokenPosition: null });
    expect(v.count).toBe(await storedCount());
    expect(v.count).toBeGreaterThanOrEqual(1);
  });

  it('given a bad key or a bad body, then the answer is an OpenAI-shaped error and nothing is forwarded', async () => {
    const bad = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: 'sk-wrong-key-000000', maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    const unauthorized = await fetch(`${stack.gatewayUrl}/v1/models`);
    expect([unauthorized.status, unauthorized.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    // Nested far deeper than any call stack: refused with a 400 before anything recurses on it; the gateway stays up.
    for (const stream of [false, true]) {
      const deep = `{"model":"gpt-4o","stream":${stream},"messages":[{"role":"user","content":"x","extra":${'['.repeat(20_000)}${']'.repeat(20_000)}}]}`;
      const refused = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' }, body: deep });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ error: { message: 'request body nests deeper than 64 levels', type: 'invalid_request_error', code: 'json_too_deep', param: null } });
    }
    expect((await fetch(`${stack.gatewayUrl}/health`)).status).toBe(200);
    const unknown = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'nobody/nothing', messages: [{ role: 'user', content: 'x' }] }) });
    expect(((await unknown.json()) as { error: { param: string | null } }).error.param).toBe('model');
    // Refused by Node's HTTP parser before any handler: still the OpenAI shape, nothing echoed.
    const port = Number(new URL(stack.gatewayUrl).port);
    const raw = (bytes: string) =>
      new Promise<string>((resolve, reject) => {
        let out = '';
        const socket = createConnection({ host: '127.0.0.1', port }, () => socket.end(bytes));
        socket.setEncoding('utf8');
        socket.on('data', (c: string) => (out += c));
        socket.on('close', () => resolve(out));
        socket.on('error', reject);
      });
    const bigHeader = await raw(`GET /health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(bigHeader.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(JSON.parse(bigHeader.slice(bigHeader.indexOf('\r\n\r\n') + 4))).toEqual({ error: { message: 'request headers (with the URL) are too large', type: 'invalid_request_error', code: 'headers_too_large', param: null } });
    expect(bigHeader).toMatch(/\r\nx-request-id: [0-9a-f-]{36}\r\n/);
    const garbage = await raw('\u0001\u0002 not http at all\r\n\r\n');
    expect(garbage.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4)).error.code).toBe('malformed_request');
    const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' }, body: '{"model":' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: 'invalid_json', param: null } });
    const wrongTypes = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: 'hi' }) });
    expect(wrongTypes.status).toBe(400);
    expect(((await wrongTypes.json()) as { error: { param: string } }).error.param).toBe('messages');
  });

  it('given a body over the NATS max payload, then plain and streamed requests are served (completions never cross NATS), and one over the gateway limit gets a 413 in the OpenAI shape', async () => {
    const nc = await connect({ servers: stack.iso.natsUrl });
    const maxPayload = nc.info!.max_payload;
    await nc.close();
    expect(maxPayload).toBeLessThan(GATEWAY_BODY_LIMIT - 200_000);
    const post = (body: unknown) => fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const big = 'x'.repeat(maxPayload + 100_000);
    for (const stream of [false, true]) {
      // A 1 M-token model takes the message whole; for a 128 K one request shaping would cut it (docs/shaping.md).
      const res = await post({ model: 'gemini/gemini-2.5-pro', stream, messages: [{ role: 'user', content: big }] });
      expect([stream, res.status]).toEqual([stream, 200]);
      const text = await res.text();
      if (stream) expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      else expect((JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0].message.content).toBe(`echo: ${big}`);
    }
    // The gateway answers from the announced length and closes, so the body is never sent in full (fetch would fail with EPIPE).
    const tooBig = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json', 'content-length': String(GATEWAY_BODY_LIMIT + 1) } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"model":"openai/gpt-4o","messages":[');
    });
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body)).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: 'body_too_large', param: null } });
  });

  it('given a 5 MB base64 image and a reply over 1 MiB, then both go through the gateway whole', async () => {
    // 5 MB of base64 (what a large photo becomes), sent to a vision model; the provider answers 1.5 MiB.
    const image = `data:image/png;base64,${Buffer.alloc(3_750_000, 7).toString('base64')}`;
    expect(image.length).toBeGreaterThan(5_000_000);
    const reply = 'r'.repeat(1.5 * 1024 * 1024);
    await simControl(stack).script('openai', [{ content: reply }]);
    const r = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: image } }] }] });
    expect(r.choices[0].message.content).toBe(reply);
    const seen = await simControl(stack).stats('openai');
    expect(JSON.stringify(seen.lastRequest?.body)).toContain(image.slice(-64));
  });

  it('given one request, then the gateway\'s request span and its provider-call span share one trace, with no NATS hop between them', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'trace me' }] });
    const trace = await waitFor('spans of one trace: the gateway request and the provider call', async () => {
      const call = otlp.spans.find((s) => s.service === 'gateway' && s.name === 'chat gpt-4o-mini');
      if (!call) return undefined;
      const same = otlp.spans.filter((s) => s.traceId === call.traceId);
      return same.some((s) => s.parentSpanId === '') ? same : undefined;
    });
    const gatewayRoot = trace.find((s) => s.service === 'gateway' && s.parentSpanId === '');
    expect(gatewayRoot?.name).toBe('POST /v1/chat/completions');
    expect(trace.find((s) => s.name === 'chat gpt-4o-mini')?.parentSpanId).toBe(gatewayRoot?.spanId);
    expect(trace.filter((s) => s.name.startsWith('send cp.') || s.name.startsWith('process cp.'))).toEqual([]);
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(['gateway']));
  });

  it('given the auditor is stopped, when requests are served meanwhile, then after its restart each event is stored exactly once', async () => {
    const before = await storedCount();
    expect(await stack.stopService('auditor')).toBe(0);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `while down ${i}` }] }).withResponse();
      ids.push(response.headers.get('x-request-id') ?? '');
    }
    expect(await storedCount()).toBe(before);
    stack.spawn('auditor');
    await waitFor('the backlog stored', async () => ((await storedCount()) >= before + 5 ? true : undefined), 20_000);
    const per = await db.query('SELECT correlation_id, count(*)::int AS n FROM events WHERE correlation_id = ANY($1) GROUP BY correlation_id', [ids]);
    expect(per.rows.map((r: { n: number }) => r.n)).toEqual([1, 1, 1, 1, 1]);
    expect(await storedCount()).toBe(before + 5);
    expect((await verify()).ok).toBe(true);
  });

  it('given the cpctl CLI, then status and audit verify report through the gateway', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(REPO_ROOT, 'dist/apps/cpctl/src/main.js'), ...args], { env: { PATH: process.env.PATH, CP_GATEWAY_URL: stack.gatewayUrl, CP_API_KEY: stack.apiKey } });
    const status = JSON.parse((await run('status')).stdout) as { status: string; services: Record<string, unknown> };
    expect(status.status).toBe('ok');
    expect(Object.keys(status.services)).toHaveLength(6);
    expect(JSON.parse((await run('audit', 'verify')).stdout)).toMatchObject({ ok: true });
  });

  it('given a stored row is changed by hand, then a full verify answers ok false and names that position and event_edited', async () => {
    const ok = await verify();
    expect(ok.ok).toBe(true);
    const target = Math.max(1, Math.floor(ok.count / 2));
    await expect(db.query('UPDATE events SET payload = \'{}\'::jsonb WHERE position = $1', [target])).rejects.toThrow(/append-only/);
    await db.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
    await db.query(`UPDATE events SET payload = jsonb_set(payload, '{status}', '418') WHERE position = $1`, [target]);
    await db.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
    // An ordinary verify starts from its last verified position; an edit behind it needs the full one.
    const broken = await verify(true);
    expect(broken).toMatchObject({ ok: false, firstBrokenPosition: target, problem: { kind: 'event_edited', position: target } });
  });
});
