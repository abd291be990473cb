import type OpenAI from 'openai';
import type { Client } from 'pg';
import type { Stack } from '@cp/shared/testing';
import { ledgerEvent, simControl as sim, startE2e } from './support/e2e-kit';

interface Ledger {
  status: number;
  outcome: string;
  stream: boolean;
  provider?: string;
  usage?: { total_tokens: number };
  error?: { code: string };
  timings: { firstChunkMs?: number };
  trail: { failover: boolean; attempts: { provider: string; outcome: string; errorClass?: string }[] };
}

describe('provider plane: SSE streaming through the gateway', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ stack, client, db, stop } = await startE2e({ label: 'stream' }));
  });

  afterEach(async () => {
    await sim(stack).reset();
  });

  afterAll(async () => {
    await stop?.();
  });

  const ledger = (requestId: string | null) => ledgerEvent<Ledger>(db, requestId);

  const rawStream = (model: string, text: string, signal?: AbortSignal) =>
    fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: text }] }),
      signal,
    });

  it('given a streamed request, then the openai SDK gets the chunks, usage on request, and the ledger records a complete stream', async () => {
    const { data: stream, response } = await client.chat.completions.create({ model: 'qwen/qwen-turbo', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream me' }] }).withResponse();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('echo: stream me');
    expect(chunks).toBeGreaterThan(2);
    expect(finish).toBe('stop');
    expect(usage?.total_tokens).toBeGreaterThan(0);
    const event = await ledger(response.headers.get('x-request-id'));
    expect(event).toMatchObject({ status: 200, outcome: 'ok', stream: true, provider: 'qwen', trail: { failover: false } });
    expect(event.usage?.total_tokens).toBe(usage?.total_tokens);
    expect(event.timings.firstChunkMs).toBeGreaterThan(0);
  });

  it('given the primary fails before its first chunk, then the stream fails over and the client sees only the fallback', async () => {
    await sim(stack).fault('qwen', { type: 'status', status: 503 });
    const { data: stream, response } = await client.chat.completions.create({ model: 'qwen/qwen3-235b-a22b', stream: true, messages: [{ role: 'user', content: 'fail over' }] }).withResponse();
    let text = '';
    const models = new Set<string>();
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      models.add(chunk.model);
    }
    expect(text).toBe('echo: fail over');
    expect([...models]).toEqual(['gemini-2.5-pro']);
    const event = await ledger(response.headers.get('x-request-id'));
    expect(event).toMatchObject({ outcome: 'ok', provider: 'gemini', trail: { failover: true } });
    expect(event.trail.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['qwen', 'error'],
      ['gemini', 'ok'],
    ]);
  });

  it('given the provider stream is cut after the first chunks, then the client gets an error event and no [DONE], and the ledger says incomplete', async () => {
    await sim(stack).fault('qwen', { type: 'cut_stream', afterChunks: 2 });
    const res = await rawStream('qwen/qwen3-235b-a22b', 'cut me');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('data: {"id"');
    expect(body).toContain('"error":{');
    expect(body).toContain('PROVIDER.STREAM_INTERRUPTED');
    expect(body).not.toContain('[DONE]');
    // No second provider was asked: the client already had part of an answer.
    expect(await sim(stack).requests('gemini')).toBe(0);
    const event = await ledger(res.headers.get('x-request-id'));
    expect(event).toMatchObject({ status: 200, outcome: 'incomplete', stream: true, provider: 'qwen', error: { code: 'PROVIDER.STREAM_INTERRUPTED' } });
    expect(event.trail.attempts).toEqual([expect.objectContaining({ provider: 'qwen', outcome: 'error', errorClass: 'connection' })]);
  });

  it('given a cut stream, then the openai SDK raises an error instead of ending cleanly', async () => {
    await sim(stack).fault('qwen', { type: 'cut_stream', afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'qwen/qwen3-235b-a22b', stream: true, messages: [{ role: 'user', content: 'cut me again' }] });
    const seen: string[] = [];
    const consume = async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toThrow(/interrupted/);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('given every provider fails before the first chunk, then the client gets a plain 503 in the OpenAI error shape', async () => {
    for (const p of ['qwen', 'gemini', 'openai', 'claude', 'kimi', 'glm', 'minimax']) await sim(stack).fault(p, { type: 'status', status: 500 });
    const res = await rawStream('qwen/qwen3-235b-a22b', 'nobody');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('ROUTER.NO_HEALTHY_PROVIDER');
    expect(body.error.message).toContain('qwen/qwen3-235b-a22b');
    expect((await ledger(res.headers.get('x-request-id'))).outcome).toBe('error');
  });

  it('given the client goes away mid-stream, then the upstream call is cancelled and the ledger records the stream as incomplete', async () => {
    await sim(stack).fault('qwen', { type: 'slow_stream', ms: 400 });
    const controller = new AbortController();
    const res = await rawStream('qwen/qwen-turbo', 'leaving early', controller.signal);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    const event = await ledger(res.headers.get('x-request-id'));
    expect(event).toMatchObject({ outcome: 'incomplete', error: { code: 'client_closed' } });
    expect(event.trail.attempts).toEqual([expect.objectContaining({ provider: 'qwen', outcome: 'error', message: 'the client went away' })]);
  });
});
