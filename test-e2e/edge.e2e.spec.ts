import OpenAI from 'openai';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import type { Stack } from '@cp/shared/testing';
import { EDGE_KEY_ENV, EDGE_MODEL, EdgeUpstream, registryWithEdge } from './support/edge-upstream';
import { startE2e } from './support/e2e-kit';

const BODY_LIMIT = 1024 * 1024;
const MAX_REPLY = 256 * 1024;
/** The edge provider's total timeout: a stalled upstream is answered when it expires. */
const EDGE_TOTAL_MS = 3000;
const REQUEST_ID = /^[0-9a-f-]{36}$/;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Every answer of the gateway that is not a success: this shape, nothing more, and a request id. */
function expectOpenAiError(a: Answer, status: number, code?: string): { message: string; code: string | null } {
  expect(a.status).toBe(status);
  expect(String(a.headers['x-request-id'])).toMatch(REQUEST_ID);
  const body = JSON.parse(a.body) as { error: { message: string; type: string; code: string | null; param: string | null } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof body.error.message).toBe('string');
  if (code) expect(body.error.code).toBe(code);
  return body.error;
}

describe('edge: every answer in the OpenAI shape with a request id, keys before bodies, nothing left waiting', () => {
  const upstream = new EdgeUpstream();
  let stack: Stack;
  let stop: (() => Promise<void>) | undefined;
  let auth: Record<string, string>;

  /** One request with node:http: `write` is sent as the body (the announced length may be larger), the answer read whole. */
  const send = (method: string, path: string, headers: Record<string, string>, write?: string | Buffer, end = true) =>
    new Promise<Answer>((resolve, reject) => {
      const req = request(`${stack.gatewayUrl}${path}`, { method, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      if (write !== undefined) req.write(write);
      if (end) req.end();
    });
  const post = (body: unknown, headers: Record<string, string> = {}) => send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'application/json', ...headers }, JSON.stringify(body));
  /** Raw bytes on a socket, for what no HTTP client sends. */
  const raw = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      let out = '';
      const socket = createConnection({ host: '127.0.0.1', port: Number(new URL(stack.gatewayUrl).port) }, () => socket.end(bytes));
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (out += c));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });

  beforeAll(async () => {
    const port = await upstream.start();
    ({ stack, stop } = await startE2e({
      label: 'edge',
      env: { CP_PROVIDERS_FILE: registryWithEdge(port, EDGE_TOTAL_MS), [EDGE_KEY_ENV]: 'sk-edge-upstream-key', CP_BREAKER_FAILURE_THRESHOLD: '1000' },
      serviceEnv: { gateway: { CP_GATEWAY_BODY_LIMIT_BYTES: String(BODY_LIMIT), CP_PROVIDER_MAX_REPLY_BYTES: String(MAX_REPLY) } },
    }));
    auth = { authorization: `Bearer ${stack.apiKey}` };
  });

  afterAll(async () => {
    await stop?.();
    await upstream.stop();
  });

  describe('nothing on the path leaves a client waiting', () => {
    it('given a provider reply over the reply limit, then the client gets an error naming it', async () => {
      const err = expectOpenAiError(await post({ model: EDGE_MODEL, messages: [{ role: 'user', content: `huge:${4 * MAX_REPLY}` }] }), 503, 'ROUTER.NO_HEALTHY_PROVIDER');
      expect(err.message).toContain(`exceeds the gateway's limit of ${MAX_REPLY} bytes`);
    });

    it('given one SSE event that grows past the reply limit and never ends, then the streamed request gets an error naming it', async () => {
      const err = expectOpenAiError(await post({ model: EDGE_MODEL, stream: true, messages: [{ role: 'user', content: `huge:${2 * MAX_REPLY}` }] }), 503, 'ROUTER.NO_HEALTHY_PROVIDER');
      expect(err.message).toContain(`exceeds the gateway's limit of ${MAX_REPLY} bytes`);
    });

    it('given an upstream that sends half a body and never ends it, then the client is answered when the provider deadline expires', async () => {
      const err = expectOpenAiError(await post({ model: EDGE_MODEL, messages: [{ role: 'user', content: 'stall' }] }), 503, 'ROUTER.NO_HEALTHY_PROVIDER');
      expect(err.message).toContain('timeout');
    });

    it('given a stream that stops after its first chunk and never ends, then the stream ends with an error event, not [DONE]', async () => {
      const a = await post({ model: EDGE_MODEL, stream: true, messages: [{ role: 'user', content: 'stall' }] });
      expect(a.status).toBe(200);
      expect(String(a.headers['x-request-id'])).toMatch(REQUEST_ID);
      const events = a.body.split('\n\n').filter(Boolean);
      expect(events[0]).toContain('"first"');
      const last = JSON.parse(events.at(-1)!.replace(/^data: /, '')) as { error: { code: string; message: string } };
      expect(last.error).toMatchObject({ code: 'PROVIDER.STREAM_INTERRUPTED', type: 'server_error', param: null });
      expect(a.body).not.toContain('[DONE]');
    });

    it('given a provider reply nested deeper than the gateway serialises, then the client gets an error, and the next request is served', async () => {
      const err = expectOpenAiError(await post({ model: EDGE_MODEL, messages: [{ role: 'user', content: 'deep:20000' }] }), 503, 'ROUTER.NO_HEALTHY_PROVIDER');
      expect(err.message).toContain('nests deeper than 64 levels');
      const ok = await post({ model: EDGE_MODEL, messages: [{ role: 'user', content: 'fine' }] });
      expect([ok.status, (JSON.parse(ok.body) as { choices: { message: { content: string } }[] }).choices[0].message.content]).toEqual([200, 'echo: fine']);
    });
  });

  describe('answers made before any handler', () => {
    it('given bad percent-encoding, overlong URLs and parameters, unknown routes and methods, then each is in the OpenAI shape and echoes nothing', async () => {
      expectOpenAiError(await send('GET', '/v1/models/%E0%A4%A', auth), 400, 'invalid_url');
      expectOpenAiError(await send('GET', '/v1/models/%zz', auth), 400, 'invalid_url');
      const longParam = await send('GET', `/v1/models/${'m'.repeat(10_000)}`, auth);
      expectOpenAiError(longParam, 414, 'url_too_long');
      expect(longParam.body).not.toContain('mmmmmmmm');
      const longUrl = await send('GET', `/v1/models?q=${'q'.repeat(12_000)}`, auth);
      expectOpenAiError(longUrl, 414, 'url_too_long');
      expect(longUrl.body.length).toBeLessThan(300);
      expectOpenAiError(await send('GET', '/nothing/here', auth), 404, 'not_found');
      const wrongMethod = await send('DELETE', '/v1/chat/completions', auth);
      expectOpenAiError(wrongMethod, 405, 'method_not_allowed');
      expect(wrongMethod.headers.allow).toBe('POST');
      expect((await send('PUT', '/v1/models', auth)).headers.allow).toBe('GET, HEAD');
      // Past Node's header limit the parser answers: still our shape, with an id of its own.
      const huge = await raw(`GET /v1/models/${'u'.repeat(20_000)} HTTP/1.1\r\nhost: x\r\n\r\n`);
      expect(huge.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
      expect(huge).not.toContain('uuuuuuuu');
      expect(huge).toMatch(/\r\nx-request-id: [0-9a-f-]{36}\r\n/);
    });

    it('given bodies of the wrong type, empty, malformed or with a Content-Length that lies, then 415 or 400 in the OpenAI shape', async () => {
      expectOpenAiError(await send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'text/plain' }, 'hello'), 415, 'unsupported_media_type');
      expectOpenAiError(await send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'), 415, 'unsupported_media_type');
      expectOpenAiError(await send('POST', '/v1/chat/completions', { ...auth, 'content-length': '5' }, 'hello'), 415, 'unsupported_media_type');
      expectOpenAiError(await send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'application/json' }), 400, 'empty_body');
      const bad = await send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'application/json' }, `{"model": "${'\u0000'.repeat(50)}`);
      expectOpenAiError(bad, 400, 'invalid_json');
      // More bytes than announced: the rest is read as the next request, which the parser refuses.
      const lying = await raw(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${stack.apiKey}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}garbage that is no request\r\n\r\n`);
      const statuses = lying.match(/^HTTP\/1\.1 \d{3}/gm) ?? [];
      expect(statuses[0]).toBe('HTTP/1.1 400');
      expect(statuses.every((s) => s === 'HTTP/1.1 400')).toBe(true);
      expect(lying.match(/\{"error":\{"message":"[^"]*","type":"invalid_request_error","code":"[a-z_]+","param":(null|"[a-z_.0-9]*")\}\}/g)).toHaveLength(statuses.length);
    });

    it('given a body over the limit, announced, chunked or announced smaller than sent, then a 413 in the OpenAI shape, not a reset connection', async () => {
      const big = Buffer.alloc(BODY_LIMIT + 4096, 'a');
      expectOpenAiError(await send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'application/json', 'content-length': String(big.length) }, big), 413, 'body_too_large');
      expectOpenAiError(await send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, big), 413, 'body_too_large');
      // fetch (undici) writes the whole body before it reads: it must still get the answer.
      const viaFetch = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: Buffer.alloc(4 * BODY_LIMIT, 'a') });
      expectOpenAiError({ status: viaFetch.status, headers: Object.fromEntries(viaFetch.headers), body: await viaFetch.text() }, 413, 'body_too_large');
    });
  });

  describe('keys before bodies', () => {
    it('given a missing or wrong key and a 100 MB body announced, then a 401 with WWW-Authenticate comes before the body is sent', async () => {
      const announced = { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) };
      // Only the first bytes are written and the request is never ended: the answer cannot depend on the body.
      const missing = await send('POST', '/v1/chat/completions', announced, '{"model":"gpt-4o","messages":[', false);
      expectOpenAiError(missing, 401, 'missing_api_key');
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      const wrong = await send('POST', '/v1/chat/completions', { ...announced, authorization: 'Bearer sk-not-our-key-0000' }, '{"model":', false);
      expectOpenAiError(wrong, 401, 'invalid_api_key');
      // fetch sending a large body without a key gets the 401, not a reset.
      const viaFetch = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(20 * 1024 * 1024, 'a') });
      expect(viaFetch.status).toBe(401);
    });

    it('given /health without a key, then only the verdict; with a wrong key a 401; with the key every detail', async () => {
      const anonymous = await send('GET', '/health', {});
      expect([anonymous.status, JSON.parse(anonymous.body)]).toEqual([200, { status: 'ok' }]);
      expect(String(anonymous.headers['x-request-id'])).toMatch(REQUEST_ID);
      expectOpenAiError(await send('GET', '/health', { authorization: 'Bearer sk-not-our-key-0000' }), 401, 'invalid_api_key');
      const full = JSON.parse((await send('GET', '/health', auth)).body) as { version: string; services: Record<string, { uptimeMs?: number }> };
      expect(full.version).toEqual(expect.any(String));
      expect(full.services.gateway.uptimeMs).toEqual(expect.any(Number));
    });
  });

  describe('every answer carries x-request-id', () => {
    it('given the official openai SDK, then requestID is set on 401, 400 and 404 errors and on successes', async () => {
      const bad = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: 'sk-not-our-key-0000', maxRetries: 0 });
      const client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0 });
      const unauthorized = await bad.models.list().catch((e: unknown) => e);
      expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((unauthorized as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(REQUEST_ID);
      const invalid = await client.chat.completions.create({ model: 'gpt-4o', messages: [] }).catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
      expect((invalid as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(REQUEST_ID);
      const missing = await client.models.retrieve('no-such-model').catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
      expect((missing as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(REQUEST_ID);
      const models = await client.models.list().withResponse();
      expect(models.response.headers.get('x-request-id')).toMatch(REQUEST_ID);
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'id please' }] });
      expect(completion._request_id).toMatch(REQUEST_ID);
    });
  });
});
