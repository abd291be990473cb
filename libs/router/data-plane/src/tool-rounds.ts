import type { ChatCompletionResponse, ChatMessage, DecisionTrail, Usage } from '@cp/shared/contracts';
import type { LocalToolName, ToolSession, TurnDecision } from '@cp/tool-governor/domain';
import type { Context } from '@cp/shared/telemetry';
import type { CompletionError, CompletionRequest, CompletionResult, StreamResult } from './completion-result';
import type { ChunkSink } from './provider-stream';
import { ToolCallHold } from './tool-call-hold';

/** Runs a local tool through tool-governor; never throws (a failure is a tool error for the model). */
export interface LocalToolRunner {
  /** `parent`: the request's trace context, the parent of the call's span. */
  run(tool: LocalToolName, args: Record<string, unknown>, timeoutMs: number, parent?: Context): Promise<{ isError: boolean; content: string }>;
}

/** One round of the completion (route, breakers, failover) for the session's request of that round. */
export type PlainRound = (req: CompletionRequest) => Promise<CompletionResult>;
export type StreamRound = (req: CompletionRequest, sink: ChunkSink) => Promise<StreamResult>;

/** The rounds' trails as one: every attempt, the last route, and what happened to each tool. */
function mergeTrails(trails: DecisionTrail[], session: ToolSession): DecisionTrail {
  const last = trails.at(-1) ?? { attempts: [], failover: false };
  const attempts = trails.flatMap((t) => t.attempts);
  return { ...last, attempts, failover: trails.some((t) => t.failover), tools: session.trail, ...(trails.length > 1 ? { toolRounds: trails.length } : {}) };
}

function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a || !b) return a ?? b;
  return { prompt_tokens: a.prompt_tokens + b.prompt_tokens, completion_tokens: a.completion_tokens + b.completion_tokens, total_tokens: a.total_tokens + b.total_tokens };
}

function toolError(error: Extract<TurnDecision, { kind: 'fail' }>['error']): CompletionError {
  return { status: error.status, code: error.code, type: error.type, message: error.message };
}

/** Runs the round's local tool calls (within the policy's timeout and the request's deadline) and gives the messages of the next round. */
async function runLocal(session: ToolSession, decision: Extract<TurnDecision, { kind: 'local' }>, turn: Parameters<ToolSession['decide']>[0], runner: LocalToolRunner, { deadlineAt, traceContext }: CompletionRequest, timeoutMs: number): Promise<ChatMessage[]> {
  const results = await Promise.all(
    decision.calls.map(async ({ call, tool, arguments: args }) => {
      const started = performance.now();
      const budget = Math.min(timeoutMs, deadlineAt - Date.now());
      const out = budget <= 0 ? { isError: true, content: JSON.stringify({ error: 'deadline', message: 'the request deadline left no time to run the tool' }) } : await runner.run(tool, JSON.parse(args) as Record<string, unknown>, budget, traceContext);
      session.recordLocalRun(tool, !out.isError, performance.now() - started, out.isError ? out.content : undefined);
      return { call, content: out.content };
    }),
  );
  return session.localRoundMessages(turn, results);
}

/**
 * A plain completion with tools: each round's answer is checked; repaired calls go to the client,
 * local tool calls are run and the model called again, an invalid or unknown call gets one
 * self-correction round (as the policy allows), else the client gets an error naming tool and
 * violations. Every round has the request's deadline.
 */
export async function completeWithTools(session: ToolSession, req: CompletionRequest, round: PlainRound, runner: LocalToolRunner | undefined, localTimeoutMs: number): Promise<CompletionResult> {
  const trails: DecisionTrail[] = [];
  let messages: ChatMessage[] = [];
  let usage: Usage | undefined;
  for (;;) {
    const result = await round({ ...req, request: session.request(messages) });
    trails.push(result.trail);
    if (!result.ok) return { ok: false, error: result.error, trail: mergeTrails(trails, session) };
    usage = addUsage(usage, result.response.usage);
    const message = result.response.choices[0]?.message;
    const turn = { content: message?.content ?? null, toolCalls: message?.tool_calls ?? [] };
    const decision = session.decide(turn);
    if (decision.kind === 'fail') return { ok: false, error: toolError(decision.error), trail: mergeTrails(trails, session) };
    if (decision.kind === 'deliver') return { ...result, response: delivered(result.response, decision.toolCalls, usage), trail: mergeTrails(trails, session) };
    if (decision.kind === 'correct') messages = [...messages, ...decision.messages];
    else if (!runner) return { ok: false, error: { status: 503, code: 'local_tools_unavailable', type: 'server_error', message: 'the model called a local tool but no local tool runner is configured' }, trail: mergeTrails(trails, session) };
    else messages = [...messages, ...(await runLocal(session, decision, turn, runner, req, localTimeoutMs))];
    if (Date.now() >= req.deadlineAt) return { ok: false, error: { status: 504, code: 'deadline_exceeded', type: 'server_error', message: 'the request deadline passed between tool rounds' }, trail: mergeTrails(trails, session) };
  }
}

function delivered(response: ChatCompletionResponse, toolCalls: NonNullable<ChatCompletionResponse['choices'][number]['message']['tool_calls']>, usage: Usage | undefined): ChatCompletionResponse {
  const [first, ...rest] = response.choices;
  if (!first) return response;
  const { tool_calls: _sent, ...message } = first.message;
  const finish = toolCalls.length > 0 ? 'tool_calls' : first.finish_reason === 'tool_calls' ? 'stop' : first.finish_reason;
  return { ...response, choices: [{ ...first, message: { ...message, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) }, finish_reason: finish }, ...rest], ...(usage ? { usage } : {}) };
}

/**
 * The streamed form: text deltas reach the client as they come; tool calls are held per round
 * (`ToolCallHold`), checked and repaired whole, then sent, or acted on (local tools, correction)
 * with the next round streaming into the same response.
 */
export async function streamWithTools(session: ToolSession, req: CompletionRequest, sink: ChunkSink, round: StreamRound, runner: LocalToolRunner | undefined, localTimeoutMs: number): Promise<StreamResult> {
  const trails: DecisionTrail[] = [];
  let messages: ChatMessage[] = [];
  let usage: Usage | undefined;
  let chunkId: string | undefined;
  let sent = 0;
  for (let n = 1; ; n++) {
    const hold = new ToolCallHold(sink, n, chunkId);
    const result = await round({ ...req, request: session.request(messages) }, hold);
    chunkId = hold.chunkId;
    trails.push(result.trail);
    usage = addUsage(usage, result.usage);
    if (!result.ok) return { ...result, usage, chunks: sent + hold.sent, incomplete: sent + hold.sent > 0, trail: mergeTrails(trails, session) };
    const turn = hold.turn();
    const decision = session.decide(turn);
    if (decision.kind === 'deliver') {
      hold.finish(decision.toolCalls, usage);
      return { ...result, usage, chunks: sent + hold.sent, trail: mergeTrails(trails, session) };
    }
    sent += hold.sent;
    const fail = (error: CompletionError): StreamResult => ({ ok: false, error, incomplete: sent > 0, provider: result.provider, model: result.model, usage, chunks: sent, trail: mergeTrails(trails, session) });
    if (decision.kind === 'fail') return fail(toolError(decision.error));
    if (decision.kind === 'correct') messages = [...messages, ...decision.messages];
    else if (!runner) return fail({ status: 503, code: 'local_tools_unavailable', type: 'server_error', message: 'the model called a local tool but no local tool runner is configured' });
    else messages = [...messages, ...(await runLocal(session, decision, turn, runner, req, localTimeoutMs))];
    if (Date.now() >= req.deadlineAt) return fail({ status: 504, code: 'deadline_exceeded', type: 'server_error', message: 'the request deadline passed between tool rounds' });
  }
}
