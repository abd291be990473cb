import { startProviderSim, type ProviderSim } from '@cp/provider-sim/server';
import { BreakerBook, parseProviderRegistry, type BreakerTransition } from '@cp/router/domain';
import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { trace } from '@cp/shared/telemetry';
import { CompletionPipeline } from './completion-pipeline';
import { HttpProviderClient } from './http-provider-client';

const CAPS = '{ tools: true, vision: true, streaming: true, jsonMode: true }';
const model = (id: string) => `{ id: ${id}, capabilities: ${CAPS}, contextWindow: 4000, maxOutput: 100, pricePerMTok: { input: 1, output: 2 } }`;
const registryYaml = `
version: 1
providers:
  - { id: oai, wire: openai, baseUrl: https://o.example/v1, apiKeyEnv: CP_TEST_UNSET_O, models: [${model('gpt-x')}] }
  - { id: ant, wire: anthropic, baseUrl: https://a.example, apiKeyEnv: CP_TEST_UNSET_A, models: [${model('claude-x')}] }
  - { id: gem, wire: gemini, baseUrl: https://g.example, apiKeyEnv: CP_TEST_UNSET_G, models: [${model('gemini-x')}] }
routes: { r: [oai/gpt-x, ant/claude-x, gem/gemini-x] }
defaults: { simple: r, complex: r, vision: r }
`;

/** The completion pipeline in-process (as the gateway runs it) against a real provider-sim over HTTP. */
describe('CompletionPipeline (in-process, against provider-sim)', () => {
  let sim: ProviderSim;
  let http: HttpProviderClient;
  let breakers: BreakerBook;
  let transitions: BreakerTransition[];
  let pipeline: CompletionPipeline;
  const fault = (instance: string, body: unknown) => fetch(`${sim.url}/_sim/instances/${instance}/faults`, { method: 'POST', body: JSON.stringify(body) });
  const requests = async (instance: string) => ((await (await fetch(`${sim.url}/_sim/instances/${instance}/stats`)).json()) as { requests: number }).requests;
  const ask = (text: string, extra: Partial<ChatCompletionRequest> = {}) => ({ request: { model: 'oai/gpt-x', messages: [{ role: 'user' as const, content: text }], ...extra }, deadlineAt: Date.now() + 10_000 });
  const collecting = (signal = new AbortController().signal) => {
    const chunks: string[] = [];
    return { chunks, sink: { chunk: (json: string) => void chunks.push(json), signal } };
  };

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    http = new HttpProviderClient(trace.getTracer('test'));
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
  });
  beforeEach(async () => {
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
    breakers = new BreakerBook({ failureThreshold: 3, resetMs: 60_000 }, Date.now);
    transitions = [];
    pipeline = new CompletionPipeline(http, parseProviderRegistry(registryYaml, {}, sim.url), breakers, (t) => transitions.push(t));
  });

  it('given the primary answers 503, then each request fails over to the next wire, the breaker opens at the third failure and later requests skip the primary without a call', async () => {
    await fault('oai', { type: 'status', status: 503 });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await pipeline.complete(ask(`req ${i}`)));
    for (const [i, r] of results.entries()) expect(r).toMatchObject({ ok: true, provider: 'ant', model: 'claude-x', response: { choices: [{ message: { content: `echo: req ${i}` } }] } });
    expect(results[0].trail).toMatchObject({ failover: true, attempts: [{ provider: 'oai', outcome: 'error', errorClass: 'server', status: 503 }, { provider: 'ant', outcome: 'ok', costUsd: expect.any(Number) }] });
    expect(results[4].trail.attempts[0]).toMatchObject({ provider: 'oai', outcome: 'skipped', errorClass: 'breaker_open' });
    expect(await requests('oai')).toBe(3);
    expect(transitions.map((t) => [t.type, t.key, t.consecutiveFailures])).toEqual([['breaker.opened', 'oai/gpt-x', 3]]);
  });

  it('given an unknown model, then it fails before any attempt with a 404 and a stable code', async () => {
    expect(await pipeline.complete(ask('x', { model: 'nobody/nothing' }))).toEqual({ ok: false, error: expect.objectContaining({ status: 404, code: 'ROUTER.UNKNOWN_MODEL' }), trail: { attempts: [], failover: false } });
  });

  it('given a streamed request whose primary fails before its first chunk, then the sink gets only the fallback\'s chunks', async () => {
    await fault('oai', { type: 'status', status: 500 });
    const { chunks, sink } = collecting();
    const end = await pipeline.stream(ask('stream me', { stream: true }), sink);
    expect(end).toMatchObject({ ok: true, provider: 'ant', chunks: chunks.length, trail: { failover: true } });
    const text = chunks.map((c) => (JSON.parse(c) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('echo: stream me');
  });

  it('given the stream is cut after its first chunks, then it ends incomplete with PROVIDER.STREAM_INTERRUPTED and no other provider is asked', async () => {
    await fault('oai', { type: 'cut_stream', afterChunks: 2 });
    const { chunks, sink } = collecting();
    const end = await pipeline.stream(ask('cut me', { stream: true }), sink);
    expect(end).toMatchObject({ ok: false, incomplete: true, provider: 'oai', error: { status: 502, code: 'PROVIDER.STREAM_INTERRUPTED' } });
    expect(chunks.length).toBeGreaterThan(0);
    expect(await requests('ant')).toBe(0);
  });

  it('given the caller aborts mid-stream, then the upstream call stops, the result says CLIENT.CANCELLED and the breaker does not count it', async () => {
    await fault('oai', { type: 'slow_stream', ms: 300 });
    const controller = new AbortController();
    const { chunks, sink } = collecting(controller.signal);
    const started = Date.now();
    // The caller leaves as soon as the first chunk has reached it.
    const end = await pipeline.stream(ask('leaving early', { stream: true }), { ...sink, chunk: (json) => (sink.chunk(json), controller.abort()) });
    expect(end).toMatchObject({ ok: false, incomplete: true, error: { status: 499, code: 'CLIENT.CANCELLED' } });
    expect(chunks).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(breakers.stateOf('oai/gpt-x')).toMatchObject({ status: 'closed', consecutiveFailures: 0 });
  });

  it('given a newest turn that no candidate can take even shaped, then it is a 400 context_length_exceeded naming the sizes, and no provider is called', async () => {
    const messages: ChatCompletionRequest['messages'] = [
      { role: 'user', content: 'write the file' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'write', arguments: JSON.stringify({ text: 'word '.repeat(4000) }) } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ];
    const end = await pipeline.complete({ request: { model: 'r', messages }, deadlineAt: Date.now() + 10_000 });
    expect(end).toMatchObject({ ok: false, error: { status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' } });
    expect(!end.ok && end.error.message).toMatch(/oai\/gpt-x's maximum context length is 4000 tokens; this request needs at least \d+ tokens/);
    expect(end.trail.attempts.map((a) => [a.provider, a.outcome, a.errorClass, a.shaping?.level])).toEqual([
      ['oai', 'skipped', 'context_length_exceeded', 'aggressive'],
      ['ant', 'skipped', 'context_length_exceeded', 'aggressive'],
      ['gem', 'skipped', 'context_length_exceeded', 'aggressive'],
    ]);
    expect((await Promise.all(['oai', 'ant', 'gem'].map(requests))).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('given an image the anthropic wire cannot carry sent while its breaker waits for a probe, then the answer is a 400 naming the part, no provider is called and the probe slot stays free for the next request', async () => {
    let now = Date.now();
    breakers = new BreakerBook({ failureThreshold: 1, resetMs: 1_000 }, () => now);
    pipeline = new CompletionPipeline(http, parseProviderRegistry(registryYaml, {}, sim.url), breakers, (t) => transitions.push(t));
    breakers.recordFailure('ant/claude-x', 'server');
    now += 5_000;
    const image = (url: string): Partial<ChatCompletionRequest> => ({ model: 'ant/claude-x', messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url } }] }] });
    for (const [url, streamed] of [['file:///etc/passwd', false], ['data:image/png;base64,@@@', true], ['data:image/bmp;base64,Qk0=', false]] as const) {
      const req = ask('x', { ...image(url), stream: streamed });
      const end = streamed ? await pipeline.stream(req, collecting().sink) : await pipeline.complete(req);
      expect(end).toMatchObject({ ok: false, error: { status: 400, code: 'ROUTER.INVALID_REQUEST', param: 'messages[1].content[1].image_url.url' }, trail: { attempts: [{ provider: 'ant', outcome: 'error', errorClass: 'client' }] } });
      expect(breakers.stateOf('ant/claude-x')).toMatchObject({ status: 'open' });
    }
    expect(await requests('ant')).toBe(0);
    expect(await pipeline.complete(ask('probe', { model: 'ant/claude-x' }))).toMatchObject({ ok: true, provider: 'ant' });
    expect(breakers.stateOf('ant/claude-x')).toMatchObject({ status: 'closed' });
  });

  it('given every candidate answers 429 with a Retry-After, then the 503 carries the smallest one; a candidate that answers otherwise drops the hint', async () => {
    await fault('oai', { type: 'rate_limit', retryAfterSeconds: 7 });
    await fault('ant', { type: 'rate_limit', retryAfterSeconds: 4 });
    await fault('gem', { type: 'rate_limit', retryAfterSeconds: 9 });
    expect(await pipeline.complete(ask('busy'))).toMatchObject({ ok: false, error: { status: 503, code: 'ROUTER.NO_HEALTHY_PROVIDER', retryAfterSeconds: 4 } });
    await fault('gem', { type: 'status', status: 500 });
    const mixed = await pipeline.complete(ask('busy'));
    expect(mixed).toMatchObject({ ok: false, error: { status: 503 } });
    expect(mixed.ok === false && mixed.error.retryAfterSeconds).toBeUndefined();
  });
});
