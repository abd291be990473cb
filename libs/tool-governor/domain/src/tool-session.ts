import type { ChatCompletionRequest, ChatMessage, FunctionTool, ToolCall } from '@cp/shared/contracts';
import type { CompiledToolPolicy } from './compiled-policy';
import type { FilteredRequest } from './filter-request';
import { isLocalToolName } from './local-tools';
import type { LocalToolName } from './policy.schema';
import { checkArguments } from './repair-arguments';
import { simplifyToolForWire, type SimplifiedTool } from './simplify-schema';
import { cutForTrail, type ToolTrailEntry } from './tool-trail';
import type { ValidatorCache } from './validator-cache';

/** The model's message of one round, as the pipeline read it from any wire. */
export interface ModelTurn {
  content: string | null;
  toolCalls: readonly ToolCall[];
}

/** A failure the client gets in the OpenAI error shape (`code` stable, message names tool and violations). */
export interface ToolTurnError {
  status: number;
  code: 'tool_call_invalid' | 'local_tool_rounds_exceeded';
  type: 'server_error';
  message: string;
}

/** What the pipeline does after a round: deliver the (repaired) calls, run local tools, ask for a correction, or fail. */
export type TurnDecision =
  | { kind: 'deliver'; toolCalls: ToolCall[] }
  | { kind: 'local'; calls: { call: ToolCall; tool: LocalToolName; arguments: string }[] }
  | { kind: 'correct'; messages: ChatMessage[] }
  | { kind: 'fail'; error: ToolTurnError };

interface ReviewedCall {
  call: ToolCall;
  verdict: 'ok' | 'repaired' | 'blocked' | 'invalid';
  arguments: string;
  violations: string[];
  local?: LocalToolName;
}

/**
 * The tool side of one request across its rounds: the filtered request, the tool schemas per wire,
 * and the decision after each of the model's turns. Pure: the pipeline does the calls and runs the
 * local tools; this says what to do and keeps the trail.
 */
export class ToolSession {
  readonly trail: ToolTrailEntry[];
  private round = 0;
  private corrections = 0;
  private localRounds = 0;
  private readonly pendingCorrection = new Set<string>();
  private readonly perWire = new Map<string, FunctionTool[]>();

  constructor(
    private readonly filtered: FilteredRequest,
    private readonly policy: CompiledToolPolicy,
    private readonly validators: ValidatorCache,
    private readonly simplified: Map<string, SimplifiedTool>,
  ) {
    this.trail = [...filtered.trail];
  }

  /** The request as the model sees it in the next round (the filtered one plus the rounds' messages). */
  request(messages: ChatMessage[] = []): ChatCompletionRequest {
    const base = this.filtered.request;
    return messages.length === 0 ? base : { ...base, messages: [...base.messages, ...messages] };
  }

  /** The request's tools as one wire accepts them (Gemini: refs inlined, refused keys dropped); computed once per wire. */
  forWire(request: ChatCompletionRequest, wire: string): ChatCompletionRequest {
    if (!request.tools || wire !== 'gemini') return request;
    let tools = this.perWire.get(wire);
    if (!tools) {
      tools = request.tools.map((t) => {
        const s = simplifyToolForWire(t, wire, this.simplified);
        if (s.dropped.length > 0) this.trail.push({ tool: t.function.name, action: 'simplified', wire, dropped: s.dropped });
        return s.tool;
      });
      this.perWire.set(wire, tools);
    }
    return { ...request, tools };
  }

  /** Checks every call of the model's turn and decides what happens next. */
  decide(turn: ModelTurn): TurnDecision {
    this.round++;
    if (turn.toolCalls.length === 0) return this.deliver([]);
    const reviewed = turn.toolCalls.map((call) => this.review(call));
    const bad = reviewed.filter((r) => r.verdict === 'blocked' || r.verdict === 'invalid');
    if (bad.length > 0) return this.correctOrFail(turn, reviewed, bad);
    for (const r of reviewed) if (this.pendingCorrection.delete(r.call.function.name)) this.trail.push({ tool: r.call.function.name, action: 'self_corrected', round: this.round });
    const local = reviewed.filter((r) => r.local !== undefined);
    const client = reviewed.filter((r) => r.local === undefined);
    if (local.length > 0 && client.length > 0) {
      // A mixed turn: the client gets its own calls; the local ones cannot be threaded into its history.
      for (const r of local) this.trail.push({ tool: r.call.function.name, action: 'local_dropped', reason: 'mixed_turn' });
      return this.deliver(client);
    }
    if (local.length > 0) {
      if (this.localRounds >= this.policy.policy.localTools.maxRounds) {
        for (const r of local) this.trail.push({ tool: r.call.function.name, action: 'local_dropped', reason: 'round_limit' });
        return { kind: 'fail', error: { status: 502, code: 'local_tool_rounds_exceeded', type: 'server_error', message: `the model kept calling local tools (${local.map((r) => r.call.function.name).join(', ')}) after ${this.localRounds} local tool rounds, the policy's limit` } };
      }
      this.localRounds++;
      return { kind: 'local', calls: local.map((r) => ({ call: r.call, tool: r.local!, arguments: r.arguments })) };
    }
    return this.deliver(client);
  }

  /** The messages that carry a local round into the next call: the model's turn and one tool result per call. */
  localRoundMessages(turn: ModelTurn, results: { call: ToolCall; content: string }[]): ChatMessage[] {
    return [{ role: 'assistant', content: turn.content, tool_calls: [...turn.toolCalls] }, ...results.map((r): ChatMessage => ({ role: 'tool', tool_call_id: r.call.id, content: r.content }))];
  }

  /** Records a local tool run for the trail. */
  recordLocalRun(tool: string, ok: boolean, ms: number, error?: string): void {
    this.trail.push({ tool, action: 'local_run', ok, ms: Math.round(ms * 1000) / 1000, ...(error ? { error: error.slice(0, 300) } : {}) });
  }

  private deliver(calls: ReviewedCall[]): TurnDecision {
    return { kind: 'deliver', toolCalls: calls.map((r) => (r.arguments === r.call.function.arguments ? r.call : { ...r.call, function: { ...r.call.function, arguments: r.arguments } })) };
  }

  private review(call: ToolCall): ReviewedCall {
    const name = call.function.name;
    this.trail.push({ tool: name, action: 'called', round: this.round });
    const tool = this.filtered.offered.get(name);
    if (!tool) {
      this.trail.push({ tool: name, action: 'blocked', reason: 'not_offered', round: this.round });
      return { call, verdict: 'blocked', arguments: call.function.arguments, violations: [`the tool '${name}' does not exist; the tools are: ${[...this.filtered.offered.keys()].join(', ')}`] };
    }
    const local = this.filtered.localTools.has(name as LocalToolName) && isLocalToolName(name) ? name : undefined;
    const verdict = checkArguments(name, tool.function.parameters, call.function.arguments, this.policy, this.validators);
    if (verdict.kind === 'invalid') {
      this.trail.push({ tool: name, action: 'invalid', violations: verdict.violations, round: this.round });
      return { call, verdict: 'invalid', arguments: call.function.arguments, violations: verdict.violations, local };
    }
    if (verdict.kind === 'repaired') this.trail.push({ tool: name, action: 'repaired', classes: verdict.classes, before: cutForTrail(call.function.arguments), after: cutForTrail(verdict.arguments), round: this.round });
    return { call, verdict: verdict.kind, arguments: verdict.arguments, violations: [], local };
  }

  private correctOrFail(turn: ModelTurn, reviewed: ReviewedCall[], bad: ReviewedCall[]): TurnDecision {
    if (this.corrections >= this.policy.policy.repair.selfCorrectionRounds) {
      const what = bad.map((r) => `${r.call.function.name}: ${r.violations.join('; ')}`).join(' | ');
      return { kind: 'fail', error: { status: 502, code: 'tool_call_invalid', type: 'server_error', message: `the model's tool call could not be repaired (${what})`.slice(0, 2000) } };
    }
    this.corrections++;
    for (const r of bad) this.pendingCorrection.add(r.call.function.name);
    const results = reviewed.map((r): ChatMessage => ({ role: 'tool', tool_call_id: r.call.id, content: JSON.stringify(this.correctionNote(r)) }));
    return { kind: 'correct', messages: [{ role: 'assistant', content: turn.content, tool_calls: [...turn.toolCalls] }, ...results] };
  }

  /** What the model is told about each call of a turn that must be sent again. */
  private correctionNote(r: ReviewedCall): Record<string, unknown> {
    const name = r.call.function.name;
    if (r.verdict === 'blocked') return { error: 'unknown_tool', tool: name, message: r.violations[0], available_tools: [...this.filtered.offered.keys()] };
    if (r.verdict === 'invalid') return { error: 'invalid_arguments', tool: name, violations: r.violations, schema: this.filtered.offered.get(name)?.function.parameters ?? {}, message: 'The call was not executed. Call the tool again with arguments that match the schema.' };
    return { status: 'not_executed', tool: name, message: 'Another call of this turn was invalid, so none was executed. Send the whole turn again.' };
  }
}
