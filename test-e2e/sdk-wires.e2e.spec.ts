/**
 * The `openai` SDK through the gateway against each of the three provider wire formats (a model of
 * each): plain, streaming, tools (non-streaming with the follow-up turn, and streaming) and image
 * input. The sim's stats show what the router actually sent upstream, so each case also checks that
 * the request was translated into the wire's native form.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type OpenAI from 'openai';
import type { Client } from 'pg';
import { parse } from 'yaml';
import { simThoughtSignature } from '@cp/provider-sim/domain';
import { REPO_ROOT, type Stack } from '@cp/shared/testing';
import { ledgerEvent, simControl as sim, startE2e } from './support/e2e-kit';

type Wire = 'openai' | 'anthropic' | 'gemini';
interface Case {
  model: string;
  provider: string;
  providerModel: string;
  wire: Wire;
}

const CASES: Case[] = [
  { model: 'openai/gpt-4o', provider: 'openai', providerModel: 'gpt-4o', wire: 'openai' },
  { model: 'claude/claude-sonnet-4-5', provider: 'claude', providerModel: 'claude-sonnet-4-5', wire: 'anthropic' },
  { model: 'gemini/gemini-2.5-pro', provider: 'gemini', providerModel: 'gemini-2.5-pro', wire: 'gemini' },
];

interface Ledger {
  status: number;
  outcome: string;
  stream: boolean;
  provider?: string;
  providerModel?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  costUsd?: number;
  trail: { failover: boolean; attempts: { provider: string; model: string; outcome: string; costUsd?: number }[] };
}

const WEATHER_SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'City name' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['city'],
  additionalProperties: false,
};
/** Gemini's declarations refuse `additionalProperties` (so does provider-sim): the gateway drops it for that wire (docs/tools.md). */
const { additionalProperties: _dropped, ...GEMINI_WEATHER_SCHEMA } = WEATHER_SCHEMA;
const WEATHER_TOOL: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_SCHEMA },
};
const WEATHER_ARGS = { city: 'Oslo', unit: 'celsius' };
const WEATHER_RESULT = { temp_c: 21, sky: 'clear' };
const WEATHER_QUESTION = 'What is the weather in Oslo?';

// A 1x1 PNG.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PNG_DATA_URL = `data:image/png;base64,${PNG_BASE64}`;

describe('the openai SDK through the gateway against each provider wire format', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ stack, client, db, stop } = await startE2e({ label: 'sdkwires' }));
  });

  afterEach(async () => {
    await sim(stack).reset();
  });

  afterAll(async () => {
    await stop?.();
  });

  const script = async (instance: string, replies: unknown[]) => {
    const res = await sim(stack).script(instance, replies);
    expect(res.status).toBe(200);
  };
  /** The one upstream request of the test: exactly one request reached the provider, and this is it. */
  const upstream = async (instance: string, requests = 1) => {
    const s = await sim(stack).stats(instance);
    expect(s.requests).toBe(requests);
    expect(s.lastRequest).not.toBeNull();
    return s.lastRequest!;
  };
  const ledger = (requestId: string | null) => ledgerEvent<Ledger>(db, requestId);

  describe.each(CASES)('$model ($wire wire)', ({ model, provider, providerModel, wire }) => {
    it('given the registry, then the model declares tools, vision and streaming', () => {
      const registry = parse(readFileSync(join(REPO_ROOT, 'config/providers.yaml'), 'utf8')) as {
        providers: { id: string; wire: string; models: { id: string; capabilities: Record<string, boolean> }[] }[];
      };
      const p = registry.providers.find((x) => x.id === provider);
      expect(p?.wire).toBe(wire);
      expect(p?.models.find((m) => m.id === providerModel)?.capabilities).toMatchObject({ tools: true, vision: true, streaming: true });
    });

    it('given a plain request, then the answer is the echo from that provider with usage, and the ledger names it without failover', async () => {
      const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `hello ${wire}` }] }).withResponse();
      expect(data.object).toBe('chat.completion');
      expect(data.model).toBe(providerModel);
      expect(data.choices[0].message.role).toBe('assistant');
      expect(data.choices[0].message.content).toBe(`echo: hello ${wire}`);
      expect(data.choices[0].finish_reason).toBe('stop');
      expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(data.usage?.completion_tokens).toBeGreaterThan(0);
      expect(data.usage?.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);

      await upstream(provider);
      const event = await ledger(response.headers.get('x-request-id'));
      expect(event).toMatchObject({ status: 200, outcome: 'ok', stream: false, provider, providerModel, trail: { failover: false } });
      expect(event.trail.attempts).toEqual([expect.objectContaining({ provider, model: providerModel, outcome: 'ok' })]);
      expect(event.usage).toEqual(data.usage);
      // The cost at the registry's price for this model, on the attempt and for the request.
      const price = (parse(readFileSync(join(REPO_ROOT, 'config/providers.yaml'), 'utf8')) as { providers: { id: string; models: { id: string; pricePerMTok: { input: number; output: number } }[] }[] }).providers
        .find((p) => p.id === provider)!
        .models.find((m) => m.id === providerModel)!.pricePerMTok;
      const expectedCost = (data.usage!.prompt_tokens * price.input + data.usage!.completion_tokens * price.output) / 1e6;
      expect(event.trail.attempts[0].costUsd).toBeCloseTo(expectedCost, 12);
      expect(event.costUsd).toBeCloseTo(expectedCost, 12);
      expect(expectedCost).toBeGreaterThan(0);
    });

    it('given stream: true with include_usage, then the deltas assemble to the echo, finish with stop, and a usage chunk arrives', async () => {
      const { data: stream, response } = await client.chat.completions
        .create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: `stream ${wire} please` }] })
        .withResponse();
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      let text = '';
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | null | undefined;
      let usageChunks = 0;
      const models = new Set<string>();
      for await (const chunk of stream) {
        models.add(chunk.model);
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) {
          usage = chunk.usage;
          usageChunks++;
          expect(chunk.choices).toEqual([]);
        }
      }
      expect(text).toBe(`echo: stream ${wire} please`);
      expect(finish).toBe('stop');
      expect(usageChunks).toBe(1);
      expect(usage?.prompt_tokens).toBeGreaterThan(0);
      expect(usage?.completion_tokens).toBeGreaterThan(0);
      expect(usage?.total_tokens).toBe(usage!.prompt_tokens + usage!.completion_tokens);
      expect([...models]).toEqual([providerModel]);

      const sent = await upstream(provider);
      if (wire === 'gemini') expect(sent.path).toContain(':streamGenerateContent');
      else expect(sent.body.stream).toBe(true);
      const event = await ledger(response.headers.get('x-request-id'));
      expect(event).toMatchObject({ status: 200, outcome: 'ok', stream: true, provider, trail: { failover: false } });
      expect(event.usage?.total_tokens).toBe(usage?.total_tokens);
      expect(event.costUsd).toBeGreaterThan(0);
    });

    it('given tools and a scripted tool call, then the SDK gets the call, and the follow-up turn reaches the provider in its native form', async () => {
      await script(provider, [{ toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS }] }]);
      const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: WEATHER_QUESTION };
      const first = await client.chat.completions.create({ model, tools: [WEATHER_TOOL], messages: [question] });
      expect(first.model).toBe(providerModel);
      const choice = first.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.tool_calls).toHaveLength(1);
      const call = choice.message.tool_calls![0];
      if (call.type !== 'function') throw new Error(`expected a function tool call, got ${call.type}`);
      expect(call.id).toEqual(expect.stringMatching(/\S/));
      expect(call.function.name).toBe('get_weather');
      expect(JSON.parse(call.function.arguments)).toEqual(WEATHER_ARGS);

      // The tool definitions went out in the wire's own shape.
      const firstSent = (await upstream(provider)).body;
      if (wire === 'openai') {
        expect(firstSent.tools).toEqual([WEATHER_TOOL]);
      } else if (wire === 'anthropic') {
        expect(firstSent.tools).toEqual([{ name: 'get_weather', description: 'Current weather for a city', input_schema: WEATHER_SCHEMA }]);
      } else {
        expect(firstSent.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather for a city', parametersJsonSchema: GEMINI_WEATHER_SCHEMA }] }]);
      }

      // The follow-up turn: the assistant message as the SDK returned it, then the tool result.
      const result = JSON.stringify(WEATHER_RESULT);
      const second = await client.chat.completions.create({
        model,
        tools: [WEATHER_TOOL],
        messages: [question, choice.message, { role: 'tool', tool_call_id: call.id, content: result }],
      });
      expect(second.model).toBe(providerModel);
      expect(second.choices[0].finish_reason).toBe('stop');
      expect(second.choices[0].message.content).toEqual(expect.stringMatching(/^echo: /));

      const sent = (await upstream(provider, 2)).body;
      if (wire === 'openai') {
        expect(sent.messages).toEqual([
          { role: 'user', content: WEATHER_QUESTION },
          expect.objectContaining({ role: 'assistant', tool_calls: [{ id: call.id, type: 'function', function: { name: 'get_weather', arguments: call.function.arguments } }] }),
          { role: 'tool', tool_call_id: call.id, content: result },
        ]);
        expect(sent.tools).toEqual([WEATHER_TOOL]);
      } else if (wire === 'anthropic') {
        expect(sent.messages).toEqual([
          { role: 'user', content: [{ type: 'text', text: WEATHER_QUESTION }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: 'get_weather', input: WEATHER_ARGS }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: result }] },
        ]);
        expect(sent.tools).toEqual([{ name: 'get_weather', description: 'Current weather for a city', input_schema: WEATHER_SCHEMA }]);
      } else {
        expect(sent.contents).toEqual([
          { role: 'user', parts: [{ text: WEATHER_QUESTION }] },
          // The thought signature Gemini put on the call rode in the tool call id and came back on the part.
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: WEATHER_ARGS }, thoughtSignature: simThoughtSignature('get_weather') }] },
          { role: 'user', parts: [expect.objectContaining({ functionResponse: expect.objectContaining({ name: 'get_weather', response: WEATHER_RESULT }) })] },
        ]);
        expect(sent.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather for a city', parametersJsonSchema: GEMINI_WEATHER_SCHEMA }] }]);
      }
    });

    it('given tools, a scripted tool call and stream: true, then the tool call assembles from the deltas and finishes with tool_calls', async () => {
      await script(provider, [{ toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS }] }]);
      const stream = await client.chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: WEATHER_QUESTION }],
      });
      const calls: { id?: string; name: string; arguments: string }[] = [];
      let finish: string | null = null;
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        expect(chunk.model).toBe(providerModel);
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (!choice) continue;
        text += choice.delta.content ?? '';
        finish = choice.finish_reason ?? finish;
        for (const delta of choice.delta.tool_calls ?? []) {
          expect(delta.index).toEqual(expect.any(Number));
          const slot = (calls[delta.index] ??= { name: '', arguments: '' });
          if (delta.id) {
            // The id comes once, with the first delta of its call.
            expect(slot.id).toBeUndefined();
            slot.id = delta.id;
          }
          slot.name += delta.function?.name ?? '';
          slot.arguments += delta.function?.arguments ?? '';
        }
      }
      expect(finish).toBe('tool_calls');
      expect(text).toBe('');
      expect(calls).toHaveLength(1);
      expect(calls[0].id).toEqual(expect.stringMatching(/\S/));
      expect(calls[0].name).toBe('get_weather');
      expect(JSON.parse(calls[0].arguments)).toEqual(WEATHER_ARGS);
      expect(usage?.completion_tokens).toBeGreaterThan(0);

      // The SDK's own accumulator agrees.
      await script(provider, [{ toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS }] }]);
      const final = await client.chat.completions.stream({ model, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: WEATHER_QUESTION }] }).finalChatCompletion();
      expect(final.choices[0].finish_reason).toBe('tool_calls');
      const call = final.choices[0].message.tool_calls?.[0];
      expect(call).toMatchObject({ type: 'function', id: expect.stringMatching(/\S/), function: { name: 'get_weather' } });
      if (call?.type !== 'function') throw new Error('expected a function tool call');
      expect(JSON.parse(call.function.arguments)).toEqual(WEATHER_ARGS);
      await upstream(provider, 2);
    });

    it('given an image_url part with a base64 PNG and text, then the provider receives the image in its native form', async () => {
      const res = await client.chat.completions
        .create({
          model,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'what is in this picture?' },
                { type: 'image_url', image_url: { url: PNG_DATA_URL } },
              ],
            },
          ],
        })
        .withResponse();
      expect(res.response.status).toBe(200);
      expect(res.data.model).toBe(providerModel);
      // The sim counts images only in its own wire's native form.
      expect(res.data.choices[0].message.content).toBe('echo: what is in this picture? [images: 1]');

      const sent = (await upstream(provider)).body;
      if (wire === 'openai') {
        expect(sent.messages).toEqual([
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is in this picture?' },
              { type: 'image_url', image_url: { url: PNG_DATA_URL } },
            ],
          },
        ]);
      } else if (wire === 'anthropic') {
        expect(sent.messages).toEqual([
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is in this picture?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            ],
          },
        ]);
      } else {
        expect(sent.contents).toEqual([{ role: 'user', parts: [{ text: 'what is in this picture?' }, { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }] }]);
      }
      const event = await ledger(res.response.headers.get('x-request-id'));
      expect(event).toMatchObject({ status: 200, outcome: 'ok', provider, trail: { failover: false } });
    });
  });

  describe('gemini/gemini-3-pro-preview (thought signatures required)', () => {
    const model = 'gemini/gemini-3-pro-preview';
    const ask = (messages: OpenAI.ChatCompletionMessageParam[]) => client.chat.completions.create({ model, tools: [WEATHER_TOOL], messages }).withResponse();

    it('given a tool loop, then the signature rides in the tool call id and goes back to Gemini; calls without one get the placeholder; a corrupted one is refused with the provider\'s words', async () => {
      await script('gemini', [{ toolCalls: [{ name: 'get_weather', arguments: WEATHER_ARGS }] }]);
      const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: WEATHER_QUESTION };
      const first = (await ask([question])).data;
      const call = first.choices[0].message.tool_calls?.[0];
      if (call?.type !== 'function') throw new Error('expected a function tool call');
      expect(call.id).toContain('__thought__');
      const toolTurn = (id: string): OpenAI.ChatCompletionMessageParam[] => [
        question,
        { role: 'assistant', content: null, tool_calls: [{ ...call, id }] },
        { role: 'tool', tool_call_id: id, content: JSON.stringify(WEATHER_RESULT) },
      ];
      const modelTurn = async (requests: number) => (await upstream('gemini', requests)).body.contents[1];

      const second = (await ask(toolTurn(call.id))).data;
      expect(second.choices[0].finish_reason).toBe('stop');
      expect(await modelTurn(2)).toEqual({ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: WEATHER_ARGS }, thoughtSignature: simThoughtSignature('get_weather') }] });

      // The same turn with a bare id, as after a failover from a provider that never signs: the placeholder goes instead.
      const bare = (await ask(toolTurn(call.id.split('__thought__')[0]))).data;
      expect(bare.choices[0].finish_reason).toBe('stop');
      expect(await modelTurn(3)).toEqual({ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: WEATHER_ARGS }, thoughtSignature: 'skip_thought_signature_validator' }] });

      // A corrupted signature: Gemini refuses the turn, and the 400 stays with the client, with the provider's own words.
      const refused = await ask(toolTurn(`${call.id.split('__thought__')[0]}__thought__${Buffer.from('forged').toString('base64')}`)).catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 400, code: 'PROVIDER.REQUEST_REJECTED', type: 'invalid_request_error' });
      expect((refused as Error).message).toContain('gemini rejected the request: provider answered HTTP 400: Corrupted thought signature');
      expect(await sim(stack).stats('gemini')).toMatchObject({ requests: 4 });
    });
  });
});
