import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { GoogleGenAI } from '@google/genai';
import { startProviderSim, type ProviderSim } from './index';
import { errorCodes, rejectionOf } from './testing/error-codes';
import { SimControl } from './testing/sim-control';

const ASK = { model: 'gpt-sim', messages: [{ role: 'user' as const, content: 'are you there?' }] };

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let chunks = 0;
  for await (const _ of stream) chunks += 1;
  return chunks;
}

/** How many chunks arrived before the stream failed; fails the test if it did not fail. */
async function chunksBeforeFailure(stream: AsyncIterable<unknown>): Promise<number> {
  let chunks = 0;
  try {
    for await (const _ of stream) chunks += 1;
  } catch {
    // The failure is the expected outcome; what matters is where it happened.
    return chunks;
  }
  throw new Error(`stream completed normally after ${chunks} chunks`);
}

describe('provider-sim fault injection', () => {
  let sim: ProviderSim;
  let control: SimControl;
  let openai: OpenAI;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    control = new SimControl(sim.url);
    openai = new OpenAI({ apiKey: 'test-key', baseURL: `${sim.url}/flaky/v1`, maxRetries: 0, logLevel: 'off' });
  });
  afterAll(() => sim.close());
  beforeEach(() => control.reset());

  describe('Given a rate_limit fault', () => {
    it('When the openai SDK calls, Then it gets a RateLimitError with Retry-After', async () => {
      await control.fault('flaky', { type: 'rate_limit', retryAfterSeconds: 7 });
      const err = await rejectionOf(openai.chat.completions.create(ASK));
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect(err instanceof OpenAI.RateLimitError && err.headers.get('retry-after')).toBe('7');
      expect(err).toMatchObject({ status: 429, error: { type: 'rate_limit_error' } });
    });

    it('When the anthropic SDK calls, Then the body has the Anthropic error shape', async () => {
      await control.fault('flaky', { type: 'rate_limit', retryAfterSeconds: 2 });
      const anthropic = new Anthropic({ apiKey: 'test-key', baseURL: `${sim.url}/flaky`, maxRetries: 0 });
      const err = await rejectionOf(anthropic.messages.create({ model: 'c', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }));
      expect(err).toBeInstanceOf(Anthropic.RateLimitError);
      expect(err).toMatchObject({ error: { type: 'error', error: { type: 'rate_limit_error' } } });
    });
  });

  describe('Given a status fault limited by times', () => {
    it('When called twice, Then only the first call fails and a scripted reply survives it', async () => {
      await control.script('flaky', [{ content: 'kept for the retry' }]);
      await control.fault('flaky', { type: 'status', status: 503, times: 1 });
      const err = await rejectionOf(openai.chat.completions.create(ASK));
      const retry = await openai.chat.completions.create(ASK);
      expect(err).toBeInstanceOf(OpenAI.InternalServerError);
      expect(err).toMatchObject({ status: 503 });
      expect(retry.choices[0].message.content).toBe('kept for the retry');
    });

    it('When the status is 401, Then the SDK raises AuthenticationError', async () => {
      await control.fault('flaky', { type: 'status', status: 401, message: 'bad key' });
      const err = await rejectionOf(openai.chat.completions.create(ASK));
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(err).toMatchObject({ error: { message: 'bad key' } });
    });
  });

  describe('Given a cut_stream fault', () => {
    it('When the openai SDK streams, Then iteration throws after the sent chunks', async () => {
      await control.fault('flaky', { type: 'cut_stream', afterChunks: 2 });
      const stream = await openai.chat.completions.create({ ...ASK, stream: true });
      expect(await chunksBeforeFailure(stream)).toBe(2);
    });

    it('When the anthropic SDK streams, Then finalMessage rejects', async () => {
      await control.fault('flaky', { type: 'cut_stream', afterChunks: 3 });
      const anthropic = new Anthropic({ apiKey: 'test-key', baseURL: `${sim.url}/flaky`, maxRetries: 0 });
      const stream = anthropic.messages.stream({ model: 'c', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
      await expect(stream.finalMessage()).rejects.toThrow();
    });

    it('When the genai SDK streams, Then iteration throws', async () => {
      await control.fault('flaky', { type: 'cut_stream', afterChunks: 1 });
      const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: `${sim.url}/flaky`, fetch: globalThis.fetch } });
      const stream = await ai.models.generateContentStream({ model: 'g', contents: 'a long enough question' });
      expect(await chunksBeforeFailure(stream)).toBe(1);
    });
  });

  describe('Given a dedicated listener and a refuse fault', () => {
    it('When called, Then the connection is refused, and after clearing the same port answers again', async () => {
      const { port, url } = await control.listener('flaky');
      const direct = new OpenAI({ apiKey: 'test-key', baseURL: `${url}/v1`, maxRetries: 0 });
      expect((await direct.chat.completions.create(ASK)).choices[0].message.content).toBe('echo: are you there?');

      await control.fault('flaky', { type: 'refuse' });
      const err = await rejectionOf(direct.chat.completions.create(ASK));
      expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(errorCodes(err)).toContain('ECONNREFUSED');

      await control.clearFault('flaky');
      expect((await control.listener('flaky')).port).toBe(port);
      expect((await direct.chat.completions.create(ASK)).choices[0].message.content).toBe('echo: are you there?');
    });

    it('When refuse is set on the shared port, Then the connection is dropped like a reset', async () => {
      await control.fault('flaky', { type: 'refuse' });
      const err = await rejectionOf(openai.chat.completions.create(ASK));
      expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
    });
  });

  describe('Given a reset fault', () => {
    it('When called, Then the SDK sees a connection error and no HTTP status', async () => {
      await control.fault('flaky', { type: 'reset' });
      const err = await rejectionOf(openai.chat.completions.create(ASK));
      expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(err).toMatchObject({ status: undefined });
    });
  });

  describe('Given a hang fault', () => {
    it('When the client has a short timeout, Then the request is held until the client gives up', async () => {
      await control.fault('flaky', { type: 'hang' });
      const impatient = new OpenAI({ apiKey: 'test-key', baseURL: `${sim.url}/flaky/v1`, maxRetries: 0, timeout: 300 });
      const started = Date.now();
      const err = await rejectionOf(impatient.chat.completions.create(ASK));
      // Outside Jest this is an APIConnectionTimeoutError; Jest's sandbox hides the AbortError's
      // name from the SDK (cross-realm), so only the base class and the elapsed time are asserted.
      expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(await control.stats('flaky')).toMatchObject({ requests: 1 });
    });
  });

  describe('Given latency and slow_stream faults', () => {
    it('When latency is 150 ms, Then the answer takes at least that long', async () => {
      await control.fault('flaky', { type: 'latency', ms: 150 });
      const started = Date.now();
      const completion = await openai.chat.completions.create(ASK);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(completion.choices[0].message.content).toBe('echo: are you there?');
    });

    it('When slow_stream is 40 ms, Then the stream still completes but takes the gaps', async () => {
      await control.fault('flaky', { type: 'slow_stream', ms: 40 });
      const started = Date.now();
      const chunks = await drain(await openai.chat.completions.create({ ...ASK, stream: true }));
      expect(chunks).toBeGreaterThan(3);
      expect(Date.now() - started).toBeGreaterThanOrEqual(40 * (chunks - 1));
    });
  });

  describe('Given malformed_json and wrong_schema faults', () => {
    it('When malformed_json hits a JSON answer, Then the SDK fails to parse it', async () => {
      await control.fault('flaky', { type: 'malformed_json' });
      await expect(openai.chat.completions.create(ASK)).rejects.toThrow();
    });

    it('When malformed_json hits a stream, Then iteration fails on the bad data line', async () => {
      await control.fault('flaky', { type: 'malformed_json' });
      const stream = await openai.chat.completions.create({ ...ASK, stream: true });
      await expect(drain(stream)).rejects.toThrow(SyntaxError);
    });

    it('When wrong_schema is set, Then a 200 carries valid JSON without choices', async () => {
      await control.fault('flaky', { type: 'wrong_schema' });
      const res = await fetch(`${sim.url}/flaky/v1/chat/completions`, { method: 'POST', body: JSON.stringify(ASK) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ result: 'ok' });
    });
  });

  describe('echo_key', () => {
    const post = (path: string, headers: Record<string, string>, body: unknown) => fetch(`${sim.url}/leaky${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    it('given mode status, then the error body in the request\'s format quotes the key the request carried', async () => {
      await control.fault('leaky', { type: 'echo_key', status: 401 });
      const res = await post('/v1/messages', { 'x-api-key': 'k7Qz9' }, { model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { type: string; error: { message: string } };
      expect(body.type).toBe('error');
      expect(body.error.message).toContain('Incorrect API key provided: k7Qz9.');
    });

    it('given mode stream_error, then the stream sends its first chunks and then an error event quoting the key', async () => {
      await control.fault('leaky', { type: 'echo_key', mode: 'stream_error', afterChunks: 2 });
      const res = await post('/v1/chat/completions', { authorization: 'Bearer sk-proj-echoed' }, { ...ASK, stream: true });
      const text = await res.text();
      const frames = text.split('\n\n').filter(Boolean);
      expect(frames).toHaveLength(3);
      expect(JSON.parse(frames[2].slice('data: '.length))).toMatchObject({ error: { message: expect.stringContaining('sk-proj-echoed') } });
      expect(text).not.toContain('[DONE]');
    });

    it('given mode malformed, then a plain answer is not JSON and quotes the key', async () => {
      await control.fault('leaky', { type: 'echo_key', mode: 'malformed' });
      const res = await post('/v1beta/models/gemini-x:generateContent', { 'x-goog-api-key': 'AIza-echoed' }, { contents: [{ role: 'user', parts: [{ text: 'x' }] }] });
      const text = await res.text();
      expect(() => JSON.parse(text)).toThrow();
      expect(text).toContain('AIza-echoed');
    });
  });
});
