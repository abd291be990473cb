/**
 * Generators of hostile requests for the fuzz suite (`fuzz.e2e.spec.ts`), with fast-check: what a
 * client controls (method, path, query, headers, body) in valid, mutated and absurd forms, with
 * control characters, lone surrogates and invalid UTF-8 in every field, deep nesting, odd sizes,
 * tool schemas and arguments. Not a spec itself.
 */
import fc from 'fast-check';

/** A request as the structured transport (node:http) sends it. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A request as raw bytes on a socket: what no HTTP client would send. */
export interface RawRequest {
  bytes: Buffer;
}

/** Routes that are safe to hit thousands of times (no probes of every provider, no full-chain verify, no resubmits). */
const PATHS = ['/v1/chat/completions', '/v1/models', '/v1/models/gpt-4o', '/v1/models/openai/gpt-4o', '/health', '/v1/audit/status', '/v1/audit/parked', '/v1/audit/parked/1', '/v1/providers/matrix', '/', '/v1', '/v1/chat'];
const MODELS = ['gpt-4o', 'openai/gpt-4o', 'gpt-4o-mini', 'auto', 'fast', 'full', 'claude/claude-haiku-4-5', 'gemini/gemini-2.5-flash', 'kimi/kimi-k2-0905-preview', 'nobody/nothing', ''];

/** Strings with what breaks naive code: controls, lone surrogates, RTL marks, NUL, long runs. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', '\udfff', '\u202e', '\u2028', '\r\n', '%00', '../../etc/passwd', '{{7*7}}', '__proto__', 'constructor', '\u0007\u001b[31m', '😀'.repeat(10)),
  fc.integer({ min: 1, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** Any JSON value, nesting bounded by fast-check, plus prototype-pollution keys. */
const json = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant({ __proto__: { polluted: true } }), fc.constant({ constructor: { prototype: { polluted: true } } }));

/** Nesting far past any limit, as text (a parsed value that deep could not even be built here). */
const deepText = fc.tuple(fc.integer({ min: 60, max: 30_000 }), fc.constantFrom('[', '{"a":')).map(([n, open]) => `{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"extra":${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}}`);

const imageUrl = fc.oneof(
  fc.constant('https://example.invalid/cat.png'),
  fc.constant(`data:image/png;base64,${Buffer.alloc(96, 7).toString('base64')}`),
  fc.constantFrom('data:image/png;base64,!!!notbase64', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'ftp://example.invalid/x.png', 'javascript:alert(1)', 'data:', ''),
);
const contentPart = fc.oneof(
  fc.record({ type: fc.constant('text'), text: nasty }),
  fc.record({ type: fc.constant('image_url'), image_url: fc.record({ url: imageUrl, detail: fc.constantFrom('auto', 'low', 'high', 'weird') }, { requiredKeys: ['url'] }) }),
  fc.record({ type: nasty, data: json }),
);
const toolCall = fc.record({ id: nasty, type: fc.constantFrom('function', 'other'), function: fc.record({ name: nasty, arguments: fc.oneof(nasty, json.map((j) => JSON.stringify(j)), fc.constant('{"unterminated":')) }) });
const message = fc.oneof(
  fc.record({ role: fc.constantFrom('user', 'system', 'developer'), content: fc.oneof(nasty, fc.array(contentPart, { maxLength: 3 })) }),
  fc.record({ role: fc.constant('assistant'), content: fc.option(nasty), tool_calls: fc.array(toolCall, { maxLength: 2 }) }, { requiredKeys: ['role'] }),
  fc.record({ role: fc.constant('tool'), content: nasty, tool_call_id: nasty }),
  fc.record({ role: nasty, content: json }),
);
const tool = fc.record({ type: fc.constantFrom('function', 'code_interpreter'), function: fc.record({ name: nasty, description: nasty, parameters: fc.oneof(json, fc.constant({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] })), strict: fc.option(fc.boolean()) }, { requiredKeys: ['name'] }) });
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1));

/** A chat request: mostly the right shape, each field possibly wrong, plus unknown fields. */
const chatBody = fc.record(
  {
    model: fc.oneof(fc.constantFrom(...MODELS), nasty),
    messages: fc.oneof(fc.array(message, { minLength: 1, maxLength: 4 }), json),
    stream: fc.oneof(fc.boolean(), json),
    stream_options: fc.option(fc.record({ include_usage: fc.boolean() })),
    tools: fc.array(tool, { maxLength: 3 }),
    tool_choice: fc.oneof(fc.constantFrom('none', 'auto', 'required'), fc.record({ type: fc.constant('function'), function: fc.record({ name: nasty }) }), json),
    max_tokens: fc.option(number),
    n: number,
    temperature: number,
    response_format: fc.oneof(fc.record({ type: fc.constantFrom('json_object', 'text', 'json_schema') }), json),
    [`x_${'unknown'}`]: json,
  },
  { requiredKeys: ['model', 'messages'] },
);

/** A body: JSON of a chat request (compact), any JSON, deep text, random bytes (invalid UTF-8), or sizes around the limit. */
export function bodies(limit: number) {
  return fc.oneof(
    { weight: 6, arbitrary: chatBody.map((b) => Buffer.from(JSON.stringify(b))) },
    { weight: 1, arbitrary: json.map((j) => Buffer.from(JSON.stringify(j) ?? 'null')) },
    { weight: 1, arbitrary: deepText.map((t) => Buffer.from(t)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.integer({ min: limit - 64, max: limit + 4096 }).map((n) => Buffer.from(`{"model":"gpt-4o","messages":[{"role":"user","content":"${'y'.repeat(Math.max(0, n - 60))}"}]}`)) },
  );
}

/** Path and query: known routes, mutated segments, bad or odd percent-encoding, long runs. */
const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PATHS) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...PATHS), fc.webPath(), fc.webQueryParameters()).map(([p, extra, q]) => `${p}${extra}${q ? `?${q}` : ''}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PATHS), fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2e%2e', '%C0%AF', '%ff%fe', '//', '/./', '/../', ';x=1', '#frag')).map(([p, bad]) => `${p}${bad}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('/v1/models/', '/v1/audit/parked/'), fc.integer({ min: 1, max: 12_000 })).map(([p, n]) => `${p}${'p'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => `/${encodeURIComponent(s)}`) },
);

/** Header values Node's client accepts (no CR/LF/NUL), including Latin-1 bytes that are not UTF-8. */
const headerValue = fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => s.replace(/[\r\n\u0000-\u001f\u007f]/g, '')), fc.constantFrom('\u00ff\u00fe', 'é', 'x'.repeat(8000)));

/** Half the requests go where the work is (chat completions with a valid key and JSON), half anywhere. */
export function requests(apiKey: string, limit: number): fc.Arbitrary<FuzzRequest> {
  const chat = fc.record({ body: bodies(limit), stream: fc.boolean(), chunked: fc.boolean(), requestId: fc.option(fc.oneof(fc.uuid(), headerValue)) }).map(({ body, stream, chunked, requestId }): FuzzRequest => {
    // Streaming asked for in half the otherwise valid bodies.
    const text = body.toString('utf8');
    const sent = stream && text.startsWith('{"model"') ? Buffer.from(text.replace('{"model"', '{"stream":true,"model"')) : body;
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', [chunked ? 'transfer-encoding' : 'content-length']: chunked ? 'chunked' : String(sent.length) };
    if (requestId) headers['x-request-id'] = requestId;
    return { method: 'POST', path: '/v1/chat/completions', headers, body: sent };
  });
  return fc.oneof(chat, anyRequest(apiKey, limit));
}

function anyRequest(apiKey: string, limit: number): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.oneof({ weight: 6, arbitrary: fc.constant('POST') }, { weight: 3, arbitrary: fc.constant('GET') }, { weight: 2, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'M-SEARCH', 'PROPFIND') }),
      path,
      auth: fc.oneof({ weight: 8, arbitrary: fc.constant(`Bearer ${apiKey}`) }, { weight: 1, arbitrary: fc.constantFrom('', 'Bearer', 'Bearer sk-wrong-key-0000', `Basic ${apiKey}`, `bearer   ${apiKey}`, `Bearer ${apiKey} extra`) }, { weight: 1, arbitrary: headerValue }),
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '', '*/*') }, { weight: 1, arbitrary: headerValue }),
      requestId: fc.option(fc.oneof(fc.uuid(), headerValue)),
      extra: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), headerValue, { maxKeys: 3 }),
      encoding: fc.option(fc.constantFrom('gzip', 'br', 'identity', 'chunked-ish')),
      body: fc.option(bodies(limit), { freq: 6 }),
      chunked: fc.boolean(),
    })
    .map(({ method, path: p, auth, contentType, requestId, extra, encoding, body, chunked }) => {
      const headers: Record<string, string> = { ...extra };
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      delete headers.host;
      delete headers.connection;
      delete headers.expect;
      if (auth) headers.authorization = auth;
      if (contentType) headers['content-type'] = contentType;
      if (requestId) headers['x-request-id'] = requestId;
      if (encoding) headers['content-encoding'] = encoding;
      const sent = method === 'GET' || method === 'HEAD' ? undefined : (body ?? undefined);
      // Framed explicitly: Node's client sends an OPTIONS or DELETE body with no framing at all (the server then reads it as the next request).
      if (sent) headers[chunked ? 'transfer-encoding' : 'content-length'] = chunked ? 'chunked' : String(sent.length);
      return { method, path: p, headers, body: sent };
    });
}

/** Raw requests: request lines and headers with control characters and invalid UTF-8, odd framing. */
export function rawRequests(apiKey: string): fc.Arbitrary<RawRequest> {
  const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
  const line = fc.oneof(
    fc.tuple(fc.constantFrom('GET', 'POST', 'G\u0000T', 'POST ', ''), fc.oneof(fc.constantFrom(...PATHS), bytes(40).map((b) => `/${b.toString('latin1')}`)), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'HTTP/1.1 junk', '')).map(([m, p, v]) => Buffer.from(`${m} ${p} ${v}`, 'latin1')),
    bytes(80),
  );
  const header = fc.oneof(
    fc.constant(Buffer.from(`authorization: Bearer ${apiKey}`)),
    fc.tuple(fc.stringMatching(/^[a-z-]{1,20}$/), bytes(60)).map(([n, v]) => Buffer.concat([Buffer.from(`${n}: `), v.filter((b) => b !== 10 && b !== 13)])),
    fc.constantFrom('content-length: -1', 'content-length: 1e3', 'content-length: 5, 6', 'transfer-encoding: chunked, identity', 'transfer-encoding: gzip', 'content-type: application/json\u0000', ' folded: header').map((s) => Buffer.from(s, 'latin1')),
    bytes(50),
  );
  return fc.record({ line, headers: fc.array(header, { maxLength: 5 }), body: bytes(120) }).map(({ line: l, headers, body }) => ({
    // Always framed so the server can tell where it ends: an exact length, and the connection closed after the answer.
    bytes: Buffer.concat([l, Buffer.from('\r\nhost: fuzz\r\nconnection: close\r\n'), ...headers.flatMap((h) => [h, Buffer.from('\r\n')]), Buffer.from(`content-length: ${body.length}\r\n\r\n`), body]),
  }));
}
