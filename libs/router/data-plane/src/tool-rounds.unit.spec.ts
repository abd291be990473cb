import type { ChatCompletionRequest, ChatCompletionResponse, ToolCall } from '@cp/shared/contracts';
import { ToolGovernor, ToolPolicySchema } from '@cp/tool-governor/domain';
import type { CompletionRequest, CompletionResult } from './completion-result';
import { completeWithTools, type LocalToolRunner } from './tool-rounds';

const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'go' }], tools: [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } }] };
const governor = new ToolGovernor(ToolPolicySchema.parse({ version: 1, localTools: { offer: ['data_clean'] } }));
const call = (name: string, args: string): ToolCall => ({ id: `call_${name}`, type: 'function', function: { name, arguments: args } });
const answer = (content: string | null, toolCalls?: ToolCall[]): CompletionResult => ({
  ok: true,
  provider: 'p',
  model: 'm',
  trail: { attempts: [{ provider: 'p', model: 'm', outcome: 'ok', latencyMs: 1 }], failover: false },
  response: { id: 'r', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: toolCalls ? 'tool_calls' : 'stop' }], usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } } as ChatCompletionResponse,
});

describe('completeWithTools', () => {
  it('Given a local tool call, it runs the tool, calls the model again with the result, and answers the final message with summed usage', async () => {
    const seen: CompletionRequest[] = [];
    const replies = [answer(null, [call('data_clean', '{"text": " a "}')]), answer('done')];
    const runner: LocalToolRunner = { run: async (tool, args) => ({ isError: false, content: JSON.stringify({ tool, args }) }) };
    const result = await completeWithTools(governor.begin(request)!, { request, deadlineAt: Date.now() + 10_000 }, async (r) => (seen.push(r), replies.shift()!), runner, 1000);
    expect(result.ok && result.response.choices[0]!.message).toEqual({ role: 'assistant', content: 'done' });
    expect(result.ok && result.response.usage).toEqual({ prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });
    expect(seen[1]!.request.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [call('data_clean', '{"text": " a "}')] },
      { role: 'tool', tool_call_id: 'call_data_clean', content: JSON.stringify({ tool: 'data_clean', args: { text: ' a ' } }) },
    ]);
    expect(result.trail.attempts).toHaveLength(2);
    expect(result.trail.toolRounds).toBe(2);
  });

  it('Given the deadline already passed, a local tool is not run and the model is told so', async () => {
    const replies = [answer(null, [call('data_clean', '{"text": "x"}')]), answer('late')];
    let runs = 0;
    const runner: LocalToolRunner = { run: async () => (runs++, { isError: false, content: 'ran' }) };
    const result = await completeWithTools(governor.begin(request)!, { request, deadlineAt: Date.now() - 1 }, async () => replies.shift()!, runner, 1000);
    expect(runs).toBe(0);
    expect(result).toMatchObject({ ok: false, error: { status: 504, code: 'deadline_exceeded' } });
  });

  it('Given a failed round, it answers that failure with every round in the trail', async () => {
    const failed: CompletionResult = { ok: false, error: { status: 503, code: 'ROUTER.NO_HEALTHY_PROVIDER', type: 'service_unavailable', message: 'down' }, trail: { attempts: [], failover: true } };
    const result = await completeWithTools(governor.begin(request)!, { request, deadlineAt: Date.now() + 10_000 }, async () => failed, undefined, 1000);
    expect(result).toMatchObject({ ok: false, error: { code: 'ROUTER.NO_HEALTHY_PROVIDER' }, trail: { failover: true, tools: [{ tool: 'data_clean', action: 'offered_local' }] } });
  });
});
