import type { ChatCompletionResponse, ToolCall } from '@cp/shared/contracts';
import { adapterFor, parseProviderRegistry, type ProviderRegistry } from '@cp/router/domain';
import { judgeCompletion, judgeJsonMode, judgeStreaming, judgeTools, judgeVision, PROBE_IMAGE_DATA_URL, PROBE_TOOL_NAME, probeRequest } from './capability-verdicts';

function answer(content: string | null, toolCalls?: ToolCall[]): { ok: true; response: ChatCompletionResponse } {
  return {
    ok: true,
    response: {
      id: 'r',
      object: 'chat.completion',
      created: 0,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: toolCalls ? 'tool_calls' : 'stop' }],
    },
  };
}

const call = (name: string, args: string): ToolCall => ({ id: 'c', type: 'function', function: { name, arguments: args } });
const failure = { ok: false as const, detail: 'HTTP 503' };

describe('judgeCompletion', () => {
  it('Given a parsed answer with text, When judged, Then it is verified', () => {
    expect(judgeCompletion(answer('OK')).verified).toBe(true);
  });

  it('Given an empty answer, When judged, Then it fails naming the finish reason', () => {
    expect(judgeCompletion(answer(''))).toEqual({ verified: false, detail: 'empty answer (finish_reason stop)' });
  });

  it('Given a failed call, When judged, Then it fails with the call detail', () => {
    expect(judgeCompletion(failure)).toEqual({ verified: false, detail: 'HTTP 503' });
  });
});

describe('judgeStreaming', () => {
  it('Given chunks and the end marker, When judged, Then it is verified', () => {
    expect(judgeStreaming({ ok: true, chunks: 6, complete: true })).toEqual({ verified: true, detail: '6 chunks, then the end marker' });
  });

  it('Given chunks but no end marker (a cut stream), When judged, Then it fails', () => {
    expect(judgeStreaming({ ok: true, chunks: 3, complete: false }).verified).toBe(false);
  });

  it('Given an end marker but no chunk, When judged, Then it fails', () => {
    expect(judgeStreaming({ ok: true, chunks: 0, complete: true })).toEqual({ verified: false, detail: 'the stream carried no chunks' });
  });

  it('Given a timeout, When judged, Then it fails with the timeout', () => {
    expect(judgeStreaming({ ok: false, detail: 'timeout (total)' })).toEqual({ verified: false, detail: 'timeout (total)' });
  });
});

describe('judgeTools', () => {
  it('Given a call of the forced tool with object arguments, When judged, Then it is verified', () => {
    expect(judgeTools(answer(null, [call(PROBE_TOOL_NAME, '{"status":"ok"}')])).verified).toBe(true);
  });

  it('Given a text answer without a tool call, When judged, Then it fails', () => {
    expect(judgeTools(answer('I would call it'))).toEqual({ verified: false, detail: 'answered without calling the forced tool' });
  });

  it('Given a call of another tool, When judged, Then it fails naming it', () => {
    expect(judgeTools(answer(null, [call('other', '{}')])).detail).toBe(`called other instead of ${PROBE_TOOL_NAME}`);
  });

  it('Given arguments that are not a JSON object, When judged, Then it fails', () => {
    expect(judgeTools(answer(null, [call(PROBE_TOOL_NAME, '{"status": "o')])).verified).toBe(false);
    expect(judgeTools(answer(null, [call(PROBE_TOOL_NAME, '[1]')])).verified).toBe(false);
  });
});

describe('judgeVision', () => {
  it('Given a text answer to the image, When judged, Then it is verified', () => {
    expect(judgeVision(answer('Red')).verified).toBe(true);
  });

  it('Given a rejected image (HTTP 400), When judged, Then it fails', () => {
    expect(judgeVision({ ok: false, detail: 'HTTP 400' })).toEqual({ verified: false, detail: 'HTTP 400' });
  });

  it('Given no text, When judged, Then it fails', () => {
    expect(judgeVision(answer(null)).verified).toBe(false);
  });
});

describe('judgeJsonMode', () => {
  it('Given content that is a JSON object, When judged, Then it is verified', () => {
    expect(judgeJsonMode(answer('{"ok": true}')).verified).toBe(true);
  });

  it('Given prose, When judged, Then it fails', () => {
    expect(judgeJsonMode(answer('Sure! {"ok": true}'))).toEqual({ verified: false, detail: 'the content is not a JSON object' });
  });

  it('Given a JSON value that is not an object, When judged, Then it fails', () => {
    expect(judgeJsonMode(answer('[true]')).verified).toBe(false);
  });
});

describe('probeRequest', () => {
  const registry: ProviderRegistry = parseProviderRegistry(
    `
version: 1
providers:
  - { id: o, wire: openai, baseUrl: https://o.example/v1, apiKeyEnv: O_KEY, models: [{ id: m, capabilities: { tools: true, vision: true, streaming: true, jsonMode: true }, contextWindow: 1000, maxOutput: 100, pricePerMTok: { input: 1, output: 2 } }] }
  - { id: a, wire: anthropic, baseUrl: https://a.example, apiKeyEnv: A_KEY, models: [{ id: m, capabilities: { tools: true, vision: true, streaming: true, jsonMode: false }, contextWindow: 1000, maxOutput: 100, pricePerMTok: { input: 1, output: 2 } }] }
  - { id: g, wire: gemini, baseUrl: https://g.example, apiKeyEnv: G_KEY, models: [{ id: m, capabilities: { tools: true, vision: true, streaming: true, jsonMode: true }, contextWindow: 1000, maxOutput: 100, pricePerMTok: { input: 1, output: 2 } }] }
routes: { r: [o/m, a/m, g/m] }
defaults: { simple: r, complex: r, vision: r }
`,
    {},
    'http://127.0.0.1:1',
  );
  const built = (providerId: string, kind: Parameters<typeof probeRequest>[0]) => {
    const provider = registry.providers.find((p) => p.id === providerId)!;
    return adapterFor(provider.wire).buildRequest(probeRequest(kind, 'm'), provider.models[0], provider);
  };

  it('Given the tools probe, When built for each wire, Then every wire forces the probe tool', () => {
    expect(built('o', 'tools').body).toMatchObject({ tool_choice: { type: 'function', function: { name: PROBE_TOOL_NAME } } });
    expect(built('a', 'tools').body).toMatchObject({ tool_choice: { type: 'tool', name: PROBE_TOOL_NAME } });
    expect(built('g', 'tools').body).toMatchObject({ toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [PROBE_TOOL_NAME] } } });
  });

  it('Given the vision probe, When built for Anthropic and Gemini, Then the PNG travels inline as base64', () => {
    const data = PROBE_IMAGE_DATA_URL.split(',')[1];
    expect(JSON.stringify(built('a', 'vision').body)).toContain(data);
    expect(built('g', 'vision').body).toMatchObject({ contents: [{ parts: [{ text: expect.any(String) }, { inlineData: { mimeType: 'image/png', data } }] }] });
  });

  it('Given the JSON-mode probe, When built for OpenAI and Gemini, Then JSON output is requested', () => {
    expect(built('o', 'jsonMode').body).toMatchObject({ response_format: { type: 'json_object' } });
    expect(built('g', 'jsonMode').body).toMatchObject({ generationConfig: { responseMimeType: 'application/json' } });
  });

  it('Given the streaming probe, When built for each wire, Then it streams', () => {
    expect(built('o', 'streaming').body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(built('a', 'streaming').body).toMatchObject({ stream: true });
    expect(built('g', 'streaming').path).toBe('/v1beta/models/m:streamGenerateContent?alt=sse');
  });
});
