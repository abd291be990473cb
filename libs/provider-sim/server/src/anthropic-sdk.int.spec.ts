import Anthropic from '@anthropic-ai/sdk';
import { startProviderSim, type ProviderSim } from './index';
import { SimControl } from './testing/sim-control';

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('provider-sim with the @anthropic-ai/sdk', () => {
  let sim: ProviderSim;
  let control: SimControl;
  let client: Anthropic;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    control = new SimControl(sim.url);
    client = new Anthropic({ apiKey: 'test-key', baseURL: `${sim.url}/claude`, maxRetries: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(() => control.reset());

  describe('Given a plain message with a system prompt', () => {
    it('When created, Then the text block echoes the user with end_turn and usage', async () => {
      const message = await client.messages.create({
        model: 'claude-sim',
        max_tokens: 64,
        system: [{ type: 'text', text: 'you are terse' }],
        messages: [{ role: 'user', content: 'hi claude' }],
      });
      expect(message.id).toMatch(/^msg_/);
      expect(message.model).toBe('claude-sim');
      expect(message.content).toEqual([{ type: 'text', text: 'echo: hi claude' }]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage.input_tokens).toBe(6);
      expect(message.usage.output_tokens).toBe(4);
    });
  });

  describe('Given a streamed message', () => {
    it('When consumed with messages.stream, Then text deltas assemble the echo and the final message has usage', async () => {
      const stream = client.messages.stream({ model: 'claude-sim', max_tokens: 64, messages: [{ role: 'user', content: 'tell me a long story' }] });
      const events: string[] = [];
      stream.on('streamEvent', (event) => events.push(event.type));
      const final = await stream.finalMessage();
      expect(await stream.finalText()).toBe('echo: tell me a long story');
      expect(final.stop_reason).toBe('end_turn');
      expect(final.usage.output_tokens).toBe(7);
      expect(events[0]).toBe('message_start');
      expect(events.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(1);
      expect(events.at(-1)).toBe('message_stop');
    });
  });

  describe('Given a scripted tool call and tools with input_schema', () => {
    it('When created, Then a tool_use block carries the name and parsed input', async () => {
      await control.script('claude', [{ content: 'let me check', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] }]);
      const message = await client.messages.create({
        model: 'claude-sim',
        max_tokens: 64,
        tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
        messages: [{ role: 'user', content: 'weather in Oslo?' }],
      });
      expect(message.stop_reason).toBe('tool_use');
      expect(message.content[0]).toEqual({ type: 'text', text: 'let me check' });
      const toolUse = message.content[1];
      expect(toolUse.type === 'tool_use' && [toolUse.id.startsWith('toolu_'), toolUse.name, toolUse.input]).toEqual([true, 'get_weather', { city: 'Oslo' }]);
    });

    it('When streamed, Then input_json_delta events assemble the input object', async () => {
      await control.script('claude', [{ toolCalls: [{ name: 'search', arguments: { query: 'a fairly long query', limit: 3 } }] }]);
      const final = await client.messages
        .stream({ model: 'claude-sim', max_tokens: 64, messages: [{ role: 'user', content: 'search' }] })
        .finalMessage();
      const toolUse = final.content.find((block) => block.type === 'tool_use');
      expect(final.stop_reason).toBe('tool_use');
      expect(toolUse?.type === 'tool_use' && toolUse.input).toEqual({ query: 'a fairly long query', limit: 3 });
    });

    it('When the scripted arguments are malformed, Then the tool_use input is an empty object', async () => {
      await control.script('claude', [{ toolCalls: [{ name: 'broken', arguments: '{"city": "Par' }] }]);
      const message = await client.messages.create({ model: 'claude-sim', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
      const toolUse = message.content[0];
      expect(toolUse.type === 'tool_use' && toolUse.input).toEqual({});
    });

    it('When a tool result follows an assistant tool_use, Then the request is accepted and the last user text echoed', async () => {
      const message = await client.messages.create({
        model: 'claude-sim',
        max_tokens: 64,
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }, { type: 'text', text: 'so?' }] },
        ],
      });
      expect(message.content).toEqual([{ type: 'text', text: 'echo: so?' }]);
    });
  });

  describe('Given image blocks', () => {
    it('When created with base64 and url sources, Then the echo counts both images', async () => {
      const message = await client.messages.create({
        model: 'claude-sim',
        max_tokens: 64,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
              { type: 'image', source: { type: 'url', url: 'https://example.invalid/cat.png' } },
              { type: 'text', text: 'compare these' },
            ],
          },
        ],
      });
      expect(message.content).toEqual([{ type: 'text', text: 'echo: compare these [images: 2]' }]);
    });
  });

  describe('Given a request without max_tokens', () => {
    it('When sent, Then the SDK raises a 400 carrying the Anthropic error shape', async () => {
      const params = { model: 'claude-sim', messages: [{ role: 'user' as const, content: 'x' }] };
      // @ts-expect-error max_tokens is left out on purpose: the simulator must reject it like Anthropic does
      const request = client.messages.create(params);
      await expect(request).rejects.toBeInstanceOf(Anthropic.BadRequestError);
      await expect(request).rejects.toMatchObject({
        status: 400,
        error: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } },
      });
    });
  });
});
