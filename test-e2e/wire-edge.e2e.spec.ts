/**
 * The edge of the wire adapters, through the gateway with the official `openai` SDK: content an
 * adapter cannot translate is a 400 naming the field and never touches a breaker; what the gateway
 * knows is validated (n, ranges, response formats), a token limit above the model's is clamped and
 * recorded; a json_schema reaches Gemini as its response schema; Anthropic and Gemini answers carry
 * OpenAI's null logprobs and refusal; a 503 after every provider was rate limited says when to
 * retry; `model` names the model that served.
 */
import OpenAI from 'openai';
import type { Client } from 'pg';
import type { Stack } from '@cp/shared/testing';
import { ledgerEvent, simControl as sim, startE2e, type Json } from './support/e2e-kit';

interface Attempt {
  provider: string;
  model: string;
  outcome: string;
  errorClass?: string;
  maxTokensClamped?: { field: string; requested: number; sent: number };
}
interface Ledger {
  status: number;
  provider?: string;
  providerModel?: string;
  trail: { failover: boolean; attempts: Attempt[] };
}

const WEATHER = { type: 'object', properties: { city: { type: 'string' }, celsius: { type: 'number' }, sunny: { type: 'boolean' } }, required: ['city', 'celsius', 'sunny'], additionalProperties: false };

describe('the wire edge (openai SDK through the gateway)', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ stack, client, db, stop } = await startE2e({ label: 'wire-edge' }));
  });
  afterAll(async () => {
    await stop?.();
  });

  /** The error the SDK raised for a request the gateway refused. */
  const refusal = async (body: Record<string, unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
    try {
      await client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    } catch (err) {
      if (err instanceof OpenAI.APIError) return err;
      throw err;
    }
    throw new Error('the request was accepted');
  };
  const withImage = (model: string, url: string, stream = false) => ({
    model,
    stream,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url } }] }],
  });

  it('given an image the Anthropic or Gemini wire cannot carry, then the SDK gets a 400 naming the part\'s url, no provider is called, and after more refusals than the breaker threshold the model still serves at once', async () => {
    const cases: [string, string, string, boolean][] = [
      ['claude/claude-sonnet-4-5', 'claude', 'file:///etc/passwd', false],
      ['claude/claude-sonnet-4-5', 'claude', 'data:image/png;base64,@@not-base64@@', true],
      ['claude/claude-sonnet-4-5', 'claude', 'data:image/bmp;base64,Qk0=', false],
      ['claude/claude-sonnet-4-5', 'claude', 'ftp://example.com/cat.png', false],
      ['gemini/gemini-2.5-flash', 'gemini', 'javascript:alert(1)', true],
      ['gemini/gemini-2.5-flash', 'gemini', 'file:///etc/shadow', false],
      ['gemini/gemini-2.5-flash', 'gemini', 'data:image/gif;base64,R0lGOD==', false],
      ['gemini/gemini-2.5-flash', 'gemini', 'data:,plain', false],
    ];
    for (const [model, , url, stream] of cases) {
      const err = await refusal(withImage(model, url, stream));
      expect(err.status).toBe(400);
      expect(err.error).toMatchObject({ type: 'invalid_request_error', code: 'ROUTER.INVALID_REQUEST', param: 'messages[0].content[1].image_url.url' });
      expect(err.requestID).toBeTruthy();
      const ledger = await ledgerEvent<Ledger>(db, err.requestID ?? null);
      expect(ledger).toMatchObject({ status: 400, trail: { attempts: [{ outcome: 'error', errorClass: 'client' }] } });
    }
    expect(await sim(stack).requests('claude')).toBe(0);
    expect(await sim(stack).requests('gemini')).toBe(0);
    for (const model of ['claude/claude-sonnet-4-5', 'gemini/gemini-2.5-flash']) {
      const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'still serving?' }] }).withResponse();
      expect(data.choices[0].message.content).toBe('echo: still serving?');
      const ledger = await ledgerEvent<Ledger>(db, response.headers.get('x-request-id'));
      expect(ledger.trail).toMatchObject({ failover: false, attempts: [{ provider: model.split('/')[0], outcome: 'ok' }] });
    }
  });

  it('given values out of what the gateway knows (ranges, response formats, a content part of an unknown type), then each is a 400 naming its parameter; n above 1 on a one-choice wire names n', async () => {
    const ask = { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ask, n: 9 }, 'n'],
      [{ ...ask, n: 0 }, 'n'],
      [{ ...ask, temperature: 2.5 }, 'temperature'],
      [{ ...ask, top_p: -0.1 }, 'top_p'],
      [{ ...ask, presence_penalty: 3 }, 'presence_penalty'],
      [{ ...ask, frequency_penalty: -2.5 }, 'frequency_penalty'],
      [{ ...ask, top_logprobs: 21 }, 'top_logprobs'],
      [{ ...ask, logit_bias: { '50256': -101 } }, 'logit_bias.50256'],
      [{ ...ask, response_format: { type: 'yaml' } }, 'response_format.type'],
      [{ ...ask, response_format: { type: 'json_schema', json_schema: { schema: WEATHER } } }, 'response_format.json_schema.name'],
      [{ ...ask, messages: [{ role: 'user', content: [{ type: 'text', text: 'hear this' }, { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] }, 'messages.0.content'],
      [{ ...ask, model: 'gemini/gemini-2.5-flash', n: 2 }, 'n'],
      [{ ...ask, model: 'claude/claude-sonnet-4-5', n: 3 }, 'n'],
    ];
    for (const [body, param] of cases) {
      const err = await refusal(body);
      expect({ status: err.status, param: (err.error as { param?: string }).param }).toEqual({ status: 400, param });
    }
    const two = await client.chat.completions.create({ model: 'openai/gpt-4o', n: 2, messages: [{ role: 'user', content: 'two please' }] });
    expect(two.choices.length).toBeGreaterThanOrEqual(1);
    expect((await sim(stack).stats('openai')).lastRequest?.body.n).toBe(2);
  });

  it('given max_tokens above the model\'s limit, then it is clamped to the registry\'s maxOutput and the attempt records it; unknown fields pass to an openai-wire provider and are dropped for Gemini', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'gemini/gemini-2.5-flash', max_tokens: 10_000_000, messages: [{ role: 'user', content: 'long answer' }], some_vendor_option: 'x' } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    const sent = (await sim(stack).stats('gemini')).lastRequest?.body as Json;
    expect(sent.generationConfig.maxOutputTokens).toBe(65536);
    expect(JSON.stringify(sent)).not.toContain('some_vendor_option');
    const ledger = await ledgerEvent<Ledger>(db, response.headers.get('x-request-id'));
    expect(ledger.trail.attempts[0]).toMatchObject({ provider: 'gemini', outcome: 'ok', maxTokensClamped: { field: 'max_tokens', requested: 10_000_000, sent: 65536 } });

    await client.chat.completions.create({ model: 'openai/gpt-4o', max_completion_tokens: 999_999, messages: [{ role: 'user', content: 'x' }], some_vendor_option: 'x' } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const passed = (await sim(stack).stats('openai')).lastRequest?.body as Json;
    expect(passed).toMatchObject({ some_vendor_option: 'x', max_completion_tokens: 16384 });
  });

  it('given a json_schema response format for a Gemini model, then Gemini gets it as responseJsonSchema and the answer follows the schema', async () => {
    const r = await client.chat.completions.create({
      model: 'gemini/gemini-2.5-flash',
      messages: [{ role: 'user', content: 'Weather in Oslo as JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: WEATHER, strict: true } },
    });
    const sent = (await sim(stack).stats('gemini')).lastRequest?.body as Json;
    expect(sent.generationConfig).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: WEATHER });
    expect(JSON.parse(r.choices[0].message.content ?? '')).toEqual({ city: 'echo: Weather in Oslo as JSON', celsius: 1, sunny: true });
  });

  it('given Anthropic and Gemini models, then plain answers carry logprobs and message.refusal as null and every stream chunk logprobs null, the role chunk refusal null; model names the model that served', async () => {
    for (const [model, served] of [['claude/claude-sonnet-4-5', 'claude-sonnet-4-5'], ['gemini/gemini-2.5-pro', 'gemini-2.5-pro']]) {
      const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'shape?' }] });
      expect(r.choices[0]).toMatchObject({ logprobs: null, message: { role: 'assistant', content: 'echo: shape?', refusal: null } });
      expect(r.model).toBe(served);
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'shape?' }] })) chunks.push(chunk);
      const choices = chunks.flatMap((c) => c.choices);
      expect(choices.length).toBeGreaterThan(1);
      expect(choices.every((c) => c.logprobs === null)).toBe(true);
      expect(choices[0].delta).toMatchObject({ role: 'assistant', refusal: null });
      expect(chunks.every((c) => c.model === served)).toBe(true);
    }
    const routed = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'who served?' }] }).withResponse();
    const ledger = await ledgerEvent<Ledger>(db, routed.response.headers.get('x-request-id'));
    expect(routed.data.model).toBe(ledger.providerModel);
  });

  it('given every provider of the route answers 429 with a Retry-After, then the 503 carries Retry-After with the smallest one', async () => {
    const waits: Record<string, number> = { qwen: 30, gemini: 12, openai: 7, claude: 20, local: 9 };
    for (const [instance, seconds] of Object.entries(waits)) await sim(stack).fault(instance, { type: 'rate_limit', retryAfterSeconds: seconds, times: 1 });
    const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'busy?' }] }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ROUTER.NO_HEALTHY_PROVIDER');
  });
});
