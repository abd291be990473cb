import { ApiError, GoogleGenAI, Type } from '@google/genai';
import { startProviderSim, type ProviderSim } from './index';
import { SimControl } from './testing/sim-control';

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('provider-sim with the @google/genai SDK', () => {
  let sim: ProviderSim;
  let control: SimControl;
  let ai: GoogleGenAI;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    control = new SimControl(sim.url);
    // Jest's sandboxed globalThis lacks Node's undici dispatcher symbol the SDK's default fetch setup
    // looks for; handing it the sandbox's own fetch skips that setup. Real processes need no such option.
    ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: `${sim.url}/gem`, fetch: globalThis.fetch } });
  });
  afterAll(() => sim.close());
  beforeEach(() => control.reset());

  describe('Given generateContent with a system instruction', () => {
    it('When called, Then the text echoes the user with STOP, usageMetadata and modelVersion', async () => {
      const response = await ai.models.generateContent({
        model: 'gemini-sim',
        contents: [{ role: 'user', parts: [{ text: 'hello gemini' }] }],
        config: { systemInstruction: 'reply in English' },
      });
      expect(response.text).toBe('echo: hello gemini');
      expect(response.candidates?.[0].finishReason).toBe('STOP');
      expect(response.modelVersion).toBe('gemini-sim');
      expect(response.usageMetadata).toEqual({ promptTokenCount: 7, candidatesTokenCount: 5, totalTokenCount: 12 });
    });

    it('When called, Then the request reached /v1beta/models/{model}:generateContent on the instance', async () => {
      await ai.models.generateContent({ model: 'gemini-sim', contents: 'path check' });
      const stats = await control.stats('gem');
      expect(stats).toMatchObject({ requests: 1, lastRequest: { path: '/gem/v1beta/models/gemini-sim:generateContent' } });
      expect(JSON.stringify(stats)).not.toContain('test-key');
    });
  });

  describe('Given generateContentStream', () => {
    it('When iterated, Then several chunks assemble the echo and the last one carries finishReason and usage', async () => {
      const stream = await ai.models.generateContentStream({ model: 'gemini-sim', contents: 'stream a few words please' });
      const texts: string[] = [];
      let last: { finishReason?: string; total?: number } = {};
      for await (const chunk of stream) {
        texts.push(chunk.text ?? '');
        last = { finishReason: chunk.candidates?.[0].finishReason, total: chunk.usageMetadata?.totalTokenCount };
      }
      expect(texts.length).toBeGreaterThan(1);
      expect(texts.join('')).toBe('echo: stream a few words please');
      expect(last).toEqual({ finishReason: 'STOP', total: 7 + 8 });
    });
  });

  describe('Given functionDeclarations and a scripted tool call', () => {
    it('When called, Then the response carries a functionCall with name and args', async () => {
      await control.script('gem', [{ toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] }]);
      const response = await ai.models.generateContent({
        model: 'gemini-sim',
        contents: 'weather in Rome?',
        config: {
          tools: [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } } } }] }],
        },
      });
      expect(response.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Rome' } }]);
      expect(response.candidates?.[0].finishReason).toBe('STOP');
    });

    it('When a functionResponse turn follows, Then the request is accepted and echoes the last user text', async () => {
      const response = await ai.models.generateContent({
        model: 'gemini-sim',
        contents: [
          { role: 'user', parts: [{ text: 'weather?' }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Rome' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { sky: 'clear' } } }, { text: 'and now?' }] },
        ],
      });
      expect(response.text).toBe('echo: and now?');
    });
  });

  describe('Given inlineData image parts', () => {
    it('When called, Then the echo counts the images', async () => {
      const response = await ai.models.generateContent({
        model: 'gemini-sim',
        contents: [{ role: 'user', parts: [{ text: 'describe' }, { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }] }],
      });
      expect(response.text).toBe('echo: describe [images: 1]');
    });
  });

  describe('Given a request without contents', () => {
    it('When sent, Then a 400 in the Google error shape comes back', async () => {
      const res = await fetch(`${sim.url}/gem/v1beta/models/gemini-sim:generateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [] }),
      });
      const body: unknown = await res.json();
      expect(res.status).toBe(400);
      expect(body).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    });

    it('When a status fault is set, Then the SDK raises an ApiError with that status', async () => {
      await control.fault('gem', { type: 'status', status: 503 });
      const request = ai.models.generateContent({ model: 'gemini-sim', contents: 'x' });
      await expect(request).rejects.toBeInstanceOf(ApiError);
      await expect(request).rejects.toMatchObject({ status: 503 });
    });
  });
});
