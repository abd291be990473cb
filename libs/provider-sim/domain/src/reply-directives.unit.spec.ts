import { parseAnthropicRequest } from './anthropic-wire';
import { parseGeminiRequest } from './gemini-wire';
import { parseOpenAiRequest } from './openai-wire';
import { defaultReply } from './sim-reply';
import type { ParseOutcome } from './wire-format';

const user = [{ role: 'user', content: 'hi' }];
const directivesOf = (outcome: ParseOutcome) => (outcome.ok ? { forcedTool: outcome.request.forcedTool, jsonMode: outcome.request.jsonMode } : outcome.message);

describe('defaultReply', () => {
  const prompt = { lastUserText: 'hi', lastUserImages: 0, promptChars: 2 };

  it('Given a forced tool, When answered without a script, Then the tool is called with {} arguments', () => {
    expect(defaultReply({ ...prompt, forcedTool: 'probe' })).toEqual({ content: null, toolCalls: [{ name: 'probe', arguments: {} }] });
  });

  it('Given JSON mode, When answered without a script, Then the content is a JSON object holding the echo', () => {
    const reply = defaultReply({ ...prompt, jsonMode: true });
    expect(JSON.parse(reply.content ?? '')).toEqual({ echo: 'echo: hi' });
  });

  it('Given no directive, When answered without a script, Then it is the echo', () => {
    expect(defaultReply(prompt)).toEqual({ content: 'echo: hi', toolCalls: [] });
  });
});

describe('parseOpenAiRequest directives', () => {
  const tools = [{ type: 'function', function: { name: 'first' } }, { type: 'function', function: { name: 'second' } }];

  it('Given tool_choice naming a function, When parsed, Then that tool is forced', () => {
    expect(directivesOf(parseOpenAiRequest({ model: 'm', messages: user, tools, tool_choice: { type: 'function', function: { name: 'second' } } }))).toEqual({ forcedTool: 'second', jsonMode: undefined });
  });

  it('Given tool_choice required, When parsed, Then the first tool is forced', () => {
    expect(directivesOf(parseOpenAiRequest({ model: 'm', messages: user, tools, tool_choice: 'required' }))).toEqual({ forcedTool: 'first', jsonMode: undefined });
  });

  it('Given tool_choice auto, When parsed, Then nothing is forced', () => {
    expect(directivesOf(parseOpenAiRequest({ model: 'm', messages: user, tools, tool_choice: 'auto' }))).toEqual({ forcedTool: undefined, jsonMode: undefined });
  });

  it('Given response_format json_object, When parsed, Then JSON mode is on', () => {
    expect(directivesOf(parseOpenAiRequest({ model: 'm', messages: user, response_format: { type: 'json_object' } }))).toEqual({ forcedTool: undefined, jsonMode: true });
  });
});

describe('parseAnthropicRequest directives', () => {
  const base = { model: 'c', max_tokens: 10, messages: user, tools: [{ name: 'first', input_schema: {} }] };

  it('Given tool_choice {type: tool}, When parsed, Then that tool is forced', () => {
    expect(directivesOf(parseAnthropicRequest({ ...base, tool_choice: { type: 'tool', name: 'named' } }))).toEqual({ forcedTool: 'named', jsonMode: undefined });
  });

  it('Given tool_choice {type: any}, When parsed, Then the first tool is forced', () => {
    expect(directivesOf(parseAnthropicRequest({ ...base, tool_choice: { type: 'any' } }))).toEqual({ forcedTool: 'first', jsonMode: undefined });
  });

  it('Given tool_choice {type: auto}, When parsed, Then nothing is forced', () => {
    expect(directivesOf(parseAnthropicRequest({ ...base, tool_choice: { type: 'auto' } }))).toEqual({ forcedTool: undefined, jsonMode: undefined });
  });
});

describe('parseGeminiRequest directives', () => {
  const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];
  const tools = [{ functionDeclarations: [{ name: 'first' }, { name: 'second' }] }];

  it('Given mode ANY with allowed names, When parsed, Then the first allowed name is forced', () => {
    const body = { contents, tools, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['second'] } } };
    expect(directivesOf(parseGeminiRequest(body, {}))).toEqual({ forcedTool: 'second', jsonMode: undefined });
  });

  it('Given mode ANY without names, When parsed, Then the first declaration is forced', () => {
    const body = { contents, tools, toolConfig: { functionCallingConfig: { mode: 'ANY' } } };
    expect(directivesOf(parseGeminiRequest(body, {}))).toEqual({ forcedTool: 'first', jsonMode: undefined });
  });

  it('Given responseMimeType application/json, When parsed, Then JSON mode is on', () => {
    expect(directivesOf(parseGeminiRequest({ contents, generationConfig: { responseMimeType: 'application/json' } }, {}))).toEqual({ forcedTool: undefined, jsonMode: true });
  });
});

describe('JSON mode with a schema', () => {
  const schema = { type: 'object', properties: { city: { type: 'string' }, celsius: { type: 'number' }, sunny: { type: 'boolean' }, tags: { type: 'array', items: { type: 'string' } }, unit: { enum: ['C', 'F'] } }, required: ['city'] };
  const prompt = { lastUserText: 'Oslo', lastUserImages: 0, promptChars: 4 };
  const sample = { city: 'echo: Oslo', celsius: 1, sunny: true, tags: ['echo: Oslo'], unit: 'C' };

  it('Given a Gemini responseJsonSchema, When answered, Then the content is a value of that schema', () => {
    const outcome = parseGeminiRequest({ contents: [{ role: 'user', parts: [{ text: 'Oslo' }] }], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } }, {});
    expect(outcome.ok && outcome.request.jsonSchema).toEqual(schema);
    expect(JSON.parse(defaultReply({ ...prompt, jsonMode: true, jsonSchema: schema }).content ?? '')).toEqual(sample);
  });

  it('Given Google\'s responseSchema with upper-case types, When parsed and answered, Then it is followed too', () => {
    const upper = { type: 'OBJECT', properties: { n: { type: 'INTEGER' } } };
    const outcome = parseGeminiRequest({ contents: [{ role: 'user', parts: [{ text: 'x' }] }], generationConfig: { responseMimeType: 'application/json', responseSchema: upper } }, {});
    expect(outcome.ok && outcome.request.jsonSchema).toEqual(upper);
    expect(JSON.parse(defaultReply({ ...prompt, jsonMode: true, jsonSchema: upper }).content ?? '')).toEqual({ n: 1 });
  });

  it('Given an OpenAI json_schema response format, When parsed, Then its schema is the directive', () => {
    const outcome = parseOpenAiRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'w', schema } } });
    expect(outcome.ok && outcome.request.jsonSchema).toEqual(schema);
  });

  it('Given a schema nested deeper than the sim follows, When answered, Then the deep part is null', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20; i++) deep = { type: 'object', properties: { d: deep } };
    let value = JSON.parse(defaultReply({ ...prompt, jsonMode: true, jsonSchema: deep }).content ?? '') as Record<string, unknown> | null;
    let levels = 0;
    while (value && typeof value === 'object') {
      value = value.d as Record<string, unknown> | null;
      levels++;
    }
    expect(levels).toBe(9);
  });
});
