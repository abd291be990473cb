import OpenAI from 'openai';
import { startProviderSim, type ProviderSim } from './index';
import { SimControl } from './testing/sim-control';

const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('provider-sim with the openai SDK', () => {
  let sim: ProviderSim;
  let control: SimControl;
  let client: OpenAI;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    control = new SimControl(sim.url);
    client = new OpenAI({ apiKey: 'test-key', baseURL: `${sim.url}/oai/v1`, maxRetries: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(() => control.reset());

  describe('Given a plain chat completion', () => {
    it('When created, Then the reply echoes the last user message with model, finish reason and usage', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-sim',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hello there' },
        ],
      });
      expect(completion.object).toBe('chat.completion');
      expect(completion.id).toMatch(/^chatcmpl-/);
      expect(completion.model).toBe('gpt-sim');
      expect(completion.choices[0].message.content).toBe('echo: hello there');
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.usage).toEqual({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
    });
  });

  describe('Given a streaming request with include_usage', () => {
    it('When iterated, Then several content chunks add up to the echo and a usage chunk comes last', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-sim',
        messages: [{ role: 'user', content: 'stream me a sentence please' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let contentChunks = 0;
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice?.delta.content) {
          text += choice.delta.content;
          contentChunks += 1;
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe('echo: stream me a sentence please');
      expect(contentChunks).toBeGreaterThan(1);
      expect(finish).toBe('stop');
      expect(usage?.prompt_tokens).toBe(7);
      expect(usage?.completion_tokens).toBe(9);
    });
  });

  describe('Given a scripted tool call', () => {
    it('When created without streaming, Then message.tool_calls carries name and JSON arguments', async () => {
      await control.script('oai', [{ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }]);
      const completion = await client.chat.completions.create({
        model: 'gpt-sim',
        messages: [{ role: 'user', content: 'weather?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      });
      const call = completion.choices[0].message.tool_calls?.[0];
      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' && call.function.name).toBe('get_weather');
      expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
    });

    it('When streamed, Then the SDK stream helper assembles the call from name and argument deltas', async () => {
      await control.script('oai', [{ toolCalls: [{ name: 'lookup', arguments: '{"query":"a fairly long query"}' }] }]);
      const stream = client.chat.completions.stream({ model: 'gpt-sim', messages: [{ role: 'user', content: 'find it' }] });
      const final = await stream.finalChatCompletion();
      const call = final.choices[0].message.tool_calls?.[0];
      expect(final.choices[0].finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' && call.function.name).toBe('lookup');
      expect(call?.type === 'function' && call.function.arguments).toBe('{"query":"a fairly long query"}');
    });

    it('When the scripted arguments are malformed, Then they reach the client verbatim', async () => {
      await control.script('oai', [{ toolCalls: [{ name: 'broken', arguments: '{"city": "Par' }] }]);
      const completion = await client.chat.completions.create({ model: 'gpt-sim', messages: [{ role: 'user', content: 'x' }] });
      const call = completion.choices[0].message.tool_calls?.[0];
      expect(call?.type === 'function' && call.function.arguments).toBe('{"city": "Par');
    });

    it('When the queue is used up, Then the next request echoes again', async () => {
      await control.script('oai', [{ content: 'scripted answer' }]);
      const first = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'one' }] });
      const second = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'two' }] });
      expect(first.choices[0].message.content).toBe('scripted answer');
      expect(second.choices[0].message.content).toBe('echo: two');
    });
  });

  describe('Given an image content part', () => {
    it('When created, Then the echo joins the text parts and counts the images', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-sim',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is' },
              { type: 'image_url', image_url: { url: IMAGE } },
              { type: 'text', text: 'in this picture' },
            ],
          },
        ],
      });
      expect(completion.choices[0].message.content).toBe('echo: what is in this picture [images: 1]');
    });
  });

  describe('Given the models endpoint', () => {
    it('When listed, Then it answers an OpenAI model list', async () => {
      const models = await client.models.list();
      expect(models.data.map((m) => m.id)).toContain('sim-echo');
    });
  });
});
