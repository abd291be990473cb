import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { testContext } from '../testing/fixtures';
import { toAnthropicRequest } from './anthropic/anthropic-request';
import { fromGeminiResponse } from './gemini/gemini-response';
import { SKIP_THOUGHT_SIGNATURE, toGeminiRequest } from './gemini/gemini-request';
import { GeminiStreamTranslator } from './gemini/gemini-stream';
import { buildOpenAiRequest } from './openai/openai-request';
import { splitToolCallId, toolCallIdWithSignature, withoutThoughtSignatures } from './tool-call-id';

const SIG = 'CiQB0e2Kb+/sig==';

/** A Gemini thinking model's answer: two parallel calls, the first one signed (as Gemini signs them). */
const SIGNED_CALLS = {
  candidates: [
    {
      content: {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: SIG },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
        ],
      },
      finishReason: 'STOP',
    },
  ],
};

/** The client's next turn, echoing the ids it was given. */
function nextTurn(ids: string[]): ChatCompletionRequest {
  return {
    model: 'x',
    messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { role: 'assistant', content: null, tool_calls: ids.map((id, i) => ({ id, type: 'function' as const, function: { name: 'get_weather', arguments: `{"city":"${['Paris', 'Rome'][i]}"}` } })) },
      ...ids.map((id) => ({ role: 'tool' as const, tool_call_id: id, content: '18C' })),
    ],
  };
}

describe('Gemini thought signatures through OpenAI tool call ids', () => {
  it('Given an id with or without a signature, When split, Then the parts come back (an empty signature is none)', () => {
    expect(splitToolCallId(toolCallIdWithSignature('call_1', SIG))).toEqual({ id: 'call_1', thoughtSignature: SIG });
    expect(splitToolCallId(toolCallIdWithSignature('call_1', undefined))).toEqual({ id: 'call_1' });
    expect(splitToolCallId('call_1__thought__')).toEqual({ id: 'call_1' });
  });

  it('Given a signed function call, When the answer is translated, Then only that tool call id carries the signature', () => {
    const calls = fromGeminiResponse(SIGNED_CALLS, 'auto', testContext()).choices[0].message.tool_calls ?? [];
    expect(calls.map((c) => c.id)).toEqual([`call_id1__thought__${SIG}`, 'call_id2']);
  });

  it('Given a signed function call in a stream, When translated, Then the tool call chunk carries it in its id', () => {
    const chunks = new GeminiStreamTranslator('auto', {}, testContext()).push({ data: JSON.stringify(SIGNED_CALLS) });
    const ids = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((t) => t.id);
    expect(ids).toEqual([`call_id2__thought__${SIG}`, 'call_id3']);
  });

  it('Given the client echoes the ids, When the next turn goes to Gemini, Then the signature is back on its functionCall part and the results still match by name', () => {
    const body = toGeminiRequest(nextTurn([`call_1__thought__${SIG}`, 'call_2']), { id: 'gemini-3-pro-preview' });
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: SIG }, { functionCall: { name: 'get_weather', args: { city: 'Rome' } } }],
    });
    expect(body.contents[2].parts).toEqual([{ functionResponse: { name: 'get_weather', response: { result: '18C' } } }, { functionResponse: { name: 'get_weather', response: { result: '18C' } } }]);
  });

  it('Given calls without a signature (another provider made them), When the turn goes to Gemini 3, Then the first call carries the documented placeholder; Gemini 2.5 gets none', () => {
    const req = nextTurn(['call_1', 'call_2']);
    expect(toGeminiRequest(req, { id: 'gemini-3-pro-preview' }).contents[1].parts).toEqual([
      { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: SKIP_THOUGHT_SIGNATURE },
      { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
    ]);
    expect(SKIP_THOUGHT_SIGNATURE).toBe('skip_thought_signature_validator');
    expect(JSON.stringify(toGeminiRequest(req, { id: 'gemini-2.5-pro' }))).not.toContain('thoughtSignature');
  });

  it('Given the next turn fails over to another wire, When translated, Then the ids go bare (consistently for calls and results)', () => {
    const req = nextTurn([`call_1__thought__${SIG}`, 'call_2']);
    const openai = buildOpenAiRequest(req, { id: 'gpt-4o' });
    expect(openai.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id) : m.role === 'tool' ? [m.tool_call_id] : []))).toEqual(['call_1', 'call_2', 'call_1', 'call_2']);
    const anthropic = toAnthropicRequest(req, { id: 'claude' }, 1000);
    expect(JSON.stringify(anthropic)).not.toContain('__thought__');
    expect(JSON.stringify(anthropic)).toContain('"tool_use_id":"call_1"');
  });

  it('Given no id carries a signature, When stripped, Then the same array comes back (nothing copied)', () => {
    const messages = nextTurn(['call_1', 'call_2']).messages;
    expect(withoutThoughtSignatures(messages)).toBe(messages);
  });
});
