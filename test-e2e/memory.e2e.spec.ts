import { connect, type NatsConnection } from '@nats-io/transport-node';
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, waitFor } from '@cp/shared/testing';
import { ledgerEvent, simControl, startE2e, type E2e, type Json } from './support/e2e-kit';

/**
 * The memory plane through the gateway, on the running stack: the article's regression (the status
 * reaches the system prompt), dedup across layers with both provenances, a stale preference below
 * a fresh priority, the KB layer failing (degraded, completions still served), bad input 4xx.
 */
describe('memory plane (e2e)', () => {
  let e2e: E2e;
  let nc: NatsConnection;
  const MODEL = 'openai/gpt-4o';
  /** The describing call's deadline: long enough for a busy machine, short enough to wait out in the hang test. */
  const DESCRIBE_TIMEOUT_MS = 5000;

  beforeAll(async () => {
    // Deadlines generous for a busy test machine: these tests are about what memory says, not how fast (bench:kb is).
    e2e = await startE2e({ label: 'memory', healthTimeoutMs: 90_000, env: { CP_MEMORY_DEADLINE_MS: '3000' }, serviceEnv: { 'memory-plane': { CP_MEMORY_LAYER_TIMEOUT_MS: '2000' }, gateway: { CP_MEMORY_DESCRIBE_TIMEOUT_MS: String(DESCRIBE_TIMEOUT_MS) } } });
    nc = await connect({ servers: e2e.stack.iso.natsUrl });
  });

  afterAll(async () => {
    await nc?.close();
    await e2e?.stop();
  });

  const api = async (method: string, path: string, body?: unknown, raw?: string) => {
    const res = await fetch(`${e2e.stack.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${e2e.stack.apiKey}`, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const fault = async (layer: string, mode: 'fail' | 'slow' | 'off') => {
    const reply = await nc.request(`${e2e.stack.iso.namespace}.cp.memory.rpc.fault.v1`, JSON.stringify({ layer, mode }), { timeout: 5000 });
    return reply.json<Json>();
  };
  const ask = async (question: string, headers: Record<string, string>) => {
    const requestId = `mem-${randomUUID()}`;
    const completion = await e2e.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: question }] }, { headers: { 'x-request-id': requestId, ...headers } });
    return { requestId, completion };
  };
  const systemPromptSeen = async () => {
    const s = await simControl(e2e.stack).stats('openai');
    const messages = (s.lastRequest?.body.messages ?? []) as { role: string; content: string }[];
    return messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
  };

  it('Given the status "active projects: Apollo, Zephyr", When asked through the gateway with memory on, Then the provider receives a system prompt naming both and the trail lists what was injected', async () => {
    const put = await api('PUT', '/v1/memory/status', { text: 'active projects: Apollo, Zephyr' });
    expect(put.status).toBe(200);
    expect(put.body.items).toEqual([expect.objectContaining({ kind: 'note', text: 'active projects: Apollo, Zephyr' })]);
    const { requestId, completion } = await ask('what are my projects?', { 'x-cp-memory': 'on' });
    expect(completion.choices[0].message).toBeDefined();
    const system = await systemPromptSeen();
    expect(system).toContain('Apollo');
    expect(system).toContain('Zephyr');
    const event = await ledgerEvent<Json>(e2e.db, requestId);
    expect(event.trail.memory).toMatchObject({ status: 'ok', items: expect.arrayContaining([{ id: put.body.items[0].id, layer: 'status' }]) });
  });

  it('Given memory off for the key and no header, When asked, Then no memory block is added and the trail has no memory entry', async () => {
    const { requestId } = await ask('what are my projects?', {});
    expect(await systemPromptSeen()).not.toContain('Apollo');
    expect((await ledgerEvent<Json>(e2e.db, requestId)).trail.memory).toBeUndefined();
  });

  it('Given the same runbook ingested twice and set as the status, When queried, Then it comes back once with both provenances', async () => {
    const runbook = 'To restart the payment workers, drain the queue in Grafana first, then restart the pods one by one with kubectl rollout restart.';
    const first = await api('POST', '/v1/kb/documents', { title: 'Payment workers', content: runbook, source: 'runbooks/payments.md' });
    const again = await api('POST', '/v1/kb/documents', { title: 'Payment workers (copy)', content: runbook });
    expect(first).toMatchObject({ status: 201, body: { chunks: 1, outcome: 'created' } });
    expect(again).toMatchObject({ status: 201, body: { id: first.body.id, outcome: 'unchanged' } });
    await api('PUT', '/v1/memory/status', { text: runbook, projects: ['Apollo', 'Zephyr'] });
    const q = await api('POST', '/v1/memory/query', { query: 'how do I restart the payment workers?' });
    expect(q.status).toBe(200);
    const hits = (q.body.results as Json[]).filter((r) => r.text.includes('payment workers'));
    expect(hits).toHaveLength(1);
    expect(hits[0].provenance.map((p: Json) => p.layer).sort()).toEqual(['kb', 'status']);
    expect(hits[0].provenance.find((p: Json) => p.layer === 'kb')).toMatchObject({ documentId: first.body.id, origin: 'runbooks/payments.md' });
    const listed = await api('GET', '/v1/kb/documents');
    expect(listed.body.documents.filter((d: Json) => d.id === first.body.id)).toHaveLength(1);
  });

  it('Given a preference and then a fresh priority contradicting it, When queried, Then both are annotated and the preference ranks below the priority', async () => {
    const pref = await api('POST', '/v1/memory/preferences', { statement: 'Never use MongoDB for new services' });
    expect(pref).toMatchObject({ status: 201, body: { preference: { subject: 'mongodb', polarity: 'negative' } } });
    await new Promise((r) => setTimeout(r, 20));
    await api('PUT', '/v1/memory/status', { priorities: ['Move the billing service to MongoDB this quarter'] });
    const q = await api('POST', '/v1/memory/query', { query: 'should the billing service use MongoDB?', layers: ['preferences', 'status'] });
    const results = q.body.results as Json[];
    const p = results.findIndex((r) => r.layer === 'preferences');
    const s = results.findIndex((r) => r.layer === 'status' && r.text.includes('MongoDB'));
    expect(p).toBeGreaterThan(s);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(results[p].conflicts).toEqual([expect.objectContaining({ with: { id: results[s].id, layer: 'status' } })]);
    expect(results[s].conflicts).toEqual([expect.objectContaining({ with: { id: results[p].id, layer: 'preferences' } })]);
    expect(q.body.conflicts).toEqual([expect.objectContaining({ penalized: results[p].id })]);
  });

  it('Given the KB layer made to fail, When queried, Then the other layers answer with degraded ["kb"], and a completion with memory on is served with memory degraded in its trail', async () => {
    expect(await fault('kb', 'fail')).toEqual({ faults: { kb: 'fail' } });
    try {
      const q = await api('POST', '/v1/memory/query', { query: 'billing MongoDB priority' });
      expect(q.status).toBe(200);
      expect(q.body.degraded).toEqual(['kb']);
      expect(q.body.results.length).toBeGreaterThan(0);
      const { requestId, completion } = await ask('what are my priorities?', { 'x-cp-memory': 'on' });
      expect(completion.choices.length).toBe(1);
      expect(await systemPromptSeen()).toContain('MongoDB');
      expect((await ledgerEvent<Json>(e2e.db, requestId)).trail.memory).toMatchObject({ status: 'degraded', degraded: ['kb'] });
    } finally {
      await fault('kb', 'off');
    }
  });

  it('Given the memory plane stopped, When a completion with memory on is sent, Then it is served and the trail says memory degraded', async () => {
    await e2e.stack.stopService('memory-plane');
    const { requestId, completion } = await ask('what are my projects?', { 'x-cp-memory': 'on' });
    expect(completion.choices.length).toBe(1);
    expect((await ledgerEvent<Json>(e2e.db, requestId)).trail.memory).toMatchObject({ status: 'degraded', degraded: ['memory-plane'], items: [] });
    e2e.stack.spawn('memory-plane');
    await e2e.stack.waitHealthy(90_000);
  });

  it.each([
    ['an empty document', 'POST', '/v1/kb/documents', { title: 'x', content: '   ' }, undefined, 400],
    ['an oversized document', 'POST', '/v1/kb/documents', { title: 'x', content: 'a'.repeat(600 * 1024) }, undefined, 413],
    ['an unknown document id', 'DELETE', `/v1/kb/documents/${randomUUID()}`, undefined, undefined, 404],
    ['a malformed document id', 'DELETE', '/v1/kb/documents/not-an-id', undefined, undefined, 404],
    ['an unknown preference id', 'PATCH', `/v1/memory/preferences/${randomUUID()}`, { statement: 'x' }, undefined, 404],
    ['invalid JSON', 'POST', '/v1/memory/query', undefined, '{"query":', 400],
    ['a query of the wrong type', 'POST', '/v1/memory/query', { query: 42 }, undefined, 400],
    ['an unknown layer', 'POST', '/v1/memory/query', { query: 'x', layers: ['dreams'] }, undefined, 400],
    ['an empty status', 'PUT', '/v1/memory/status', {}, undefined, 400],
  ])('Given %s, Then the answer is a %s %s ... %i in the OpenAI error shape and nothing is stored', async (_c, method, path, body, raw, status) => {
    const before = await api('GET', '/v1/kb/documents');
    const res = await api(method as string, path as string, body, raw as string | undefined);
    expect(res.status).toBe(status);
    expect(res.body.error).toEqual(expect.objectContaining({ message: expect.any(String), type: expect.any(String), code: expect.any(String) }));
    expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect((await api('GET', '/v1/kb/documents')).body.total).toBe(before.body.total);
  });

  it('Given texts, When POST /v1/embeddings, Then the OpenAI shape comes back with one unit vector per input', async () => {
    const res = await api('POST', '/v1/embeddings', { model: 'default', input: ['restart the payment workers', 'vacation policy'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'list', model: expect.stringMatching(/^static-sif7-lex3-356@1$/), data: [{ object: 'embedding', index: 0 }, { object: 'embedding', index: 1 }] });
    const v = res.body.data[0].embedding as number[];
    expect(v).toHaveLength(356);
    expect(Math.sqrt(v.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 3);
  });

  it('Given a folder of Markdown, HTML, JSON and other files, When cpctl kb ingest runs twice, Then the documents are ingested once, the second run finds them unchanged, and other files are left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-kb-'));
    try {
      writeFileSync(join(dir, 'guide.md'), '# Guide\n\nThe on-call engineer rotates every Monday.');
      writeFileSync(join(dir, 'page.html'), '<html><title>Page</title><h1>Page</h1><p>Certificates renew automatically.</p></html>');
      writeFileSync(join(dir, 'flags.json'), JSON.stringify({ flags: { checkout: 'payments-new-checkout' } }));
      writeFileSync(join(dir, 'image.png'), 'not a document');
      const run = () => promisify(execFile)(process.execPath, [join(REPO_ROOT, 'dist/apps/cpctl/src/main.js'), 'kb', 'ingest', dir], { env: { ...process.env, CP_GATEWAY_URL: e2e.stack.gatewayUrl, CP_API_KEY: e2e.stack.apiKey } });
      const first = JSON.parse((await run()).stdout);
      expect(first).toMatchObject({ files: 3, created: 3, unchanged: 0, failed: [], skipped: [] });
      const second = JSON.parse((await run()).stdout);
      expect(second).toMatchObject({ files: 3, created: 0, unchanged: 3 });
      const q = await api('POST', '/v1/memory/query', { query: 'payments-new-checkout', layers: ['kb'] });
      expect(q.body.results[0].provenance[0]).toMatchObject({ origin: 'flags.json' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('multimodal memory: image descriptions', () => {
    /** A PNG signature and header followed by random bytes: an image no other test sends, by content hash. */
    const newImage = () => {
      const bytes = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(48)]);
      return { url: `data:image/png;base64,${bytes.toString('base64')}`, hash: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    };
    const askWithImage = async (url: string) => {
      const requestId = `mem-img-${randomUUID()}`;
      const started = Date.now();
      const completion = await e2e.client.chat.completions.create(
        { model: MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: 'what is on this picture?' }, { type: 'image_url', image_url: { url } }] }] },
        { headers: { 'x-request-id': requestId, 'x-cp-memory': 'on' } },
      );
      return { requestId, completion, tookMs: Date.now() - started };
    };
    const eventOf = (type: string, where: string, value: string) =>
      waitFor(`${type} (${where} = ${value})`, async () => {
        const r = await e2e.db.query(`SELECT correlation_id, payload FROM events WHERE type = $1 AND ${where} = $2`, [type, value]);
        return r.rowCount ? (r.rows[0] as { correlation_id: string; payload: Json }) : undefined;
      }, 30_000);
    /** The describing call's own ledger event, found by its marker. */
    const describingCall = (itemId: string) => eventOf('gateway.request-completed', `payload->'trail'->'internal'->>'itemId'`, itemId);
    const multimodal = async (query: string) => (await api('POST', '/v1/memory/query', { query, layers: ['multimodal'], limit: 50 })).body.results as Json[];

    it('Given memory on and a scripted vision model, When a request with an inline image is answered, Then the vision model is asked to describe that image after the answer, and the memory query for words of the description finds the item', async () => {
      const sim = simControl(e2e.stack);
      const description = 'A hand-drawn flowchart of the zebra ingestion service feeding a purple lighthouse database.';
      await sim.script('qwen', [{ content: description }]);
      const image = newImage();
      const { requestId, completion } = await askWithImage(image.url);
      expect(completion.choices[0].message.content).toEqual(expect.any(String));
      expect(await ledgerEvent<Json>(e2e.db, requestId)).toMatchObject({ outcome: 'ok', provider: 'openai' });

      const remembered = await eventOf('memory.item-remembered', `payload->>'contentHash'`, image.hash);
      expect(remembered).toMatchObject({ correlation_id: requestId, payload: { mediaType: 'image/png', bytes: image.bytes, created: true } });
      const itemId = remembered.payload.itemId as string;
      const call = await describingCall(itemId);
      expect(call.payload).toMatchObject({ outcome: 'ok', provider: 'qwen', providerModel: 'qwen2.5-vl-72b-instruct', model: 'auto', trail: { internal: { kind: 'memory-describe', requestId, itemId }, route: { route: 'vision' } } });
      const seen = (await sim.stats('qwen')).lastRequest!.body;
      expect(JSON.stringify(seen.messages)).toContain(image.url);
      expect(JSON.stringify(seen.messages)).toMatch(/Describe this image/);

      const described = await eventOf('memory.item-described', `payload->>'itemId'`, itemId);
      expect(described).toMatchObject({ correlation_id: requestId, payload: { model: 'qwen/qwen2.5-vl-72b-instruct', describeRequestId: call.payload.requestId, descriptionHash: createHash('sha256').update(description).digest('hex') } });
      expect(JSON.stringify(described.payload)).not.toMatch(/zebra/);
      const results = await multimodal('zebra ingestion flowchart with a purple lighthouse database');
      expect(results[0]).toMatchObject({ id: itemId, layer: 'multimodal', text: expect.stringContaining(description) });
    });

    it('Given the vision model hanging, When a request with a new inline image is answered, Then the answer does not wait for it, and after the describing deadline the item is stored without a description', async () => {
      const sim = simControl(e2e.stack);
      const before = await sim.requests('qwen');
      // Every vision provider but openai (which serves the client's request) hangs: the describing call
      // cannot be served before its deadline even if one of them failed fast and it failed over.
      const hung = ['qwen', 'gemini', 'claude', 'glm'];
      for (const p of hung) await sim.fault(p, { type: 'hang' });
      try {
        const image = newImage();
        const { requestId, completion, tookMs } = await askWithImage(image.url);
        expect(completion.choices.length).toBe(1);
        expect(tookMs).toBeLessThan(DESCRIBE_TIMEOUT_MS);
        expect(await ledgerEvent<Json>(e2e.db, requestId)).toMatchObject({ outcome: 'ok', provider: 'openai' });

        const remembered = await eventOf('memory.item-remembered', `payload->>'contentHash'`, image.hash);
        const itemId = remembered.payload.itemId as string;
        const call = await describingCall(itemId);
        const attempts = (call.payload.trail.attempts as Json[]).map((a) => `${a.provider}: ${a.outcome} ${a.errorClass ?? ''}`);
        expect({ outcome: call.payload.outcome, attempts }).toEqual({ outcome: 'error', attempts: expect.arrayContaining([expect.stringMatching(/^qwen: error/)]) });
        expect(attempts.at(-1)).toMatch(/: error timeout$/);
        expect(call.payload.trail.internal).toEqual({ kind: 'memory-describe', requestId, itemId });
        expect(await sim.requests('qwen')).toBeGreaterThan(before);
        const r = await e2e.db.query(`SELECT count(*)::int AS n FROM events WHERE type = 'memory.item-described' AND payload->>'itemId' = $1`, [itemId]);
        expect(r.rows[0].n).toBe(0);
        const name = `unnamed file (image/png, ${image.bytes} bytes)`;
        expect((await multimodal(name)).find((x) => x.id === itemId)).toMatchObject({ text: name });
      } finally {
        for (const p of hung) await sim.clear(p);
      }
    });
  });
});
