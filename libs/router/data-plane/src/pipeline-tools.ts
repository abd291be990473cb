import type { DecisionTrail } from '@cp/shared/contracts';
import { ToolPolicyRequestError, type ToolGovernor, type ToolSession } from '@cp/tool-governor/domain';
import type { CompletionError, CompletionRequest } from './completion-result';
import type { LocalToolRunner } from './tool-rounds';

/** What the pipeline needs for tool governance: the governor (policy copy, compiled schemas) and the local tool runner. */
export interface PipelineTools {
  governor: ToolGovernor;
  runner?: LocalToolRunner;
}

export type ToolStart =
  | { kind: 'none' }
  | { kind: 'session'; session: ToolSession; localTimeoutMs: number }
  | { kind: 'refused'; error: CompletionError; trail: DecisionTrail };

/**
 * The request-side stage, before any candidate: a request without tools costs one check; one with
 * tools gets its session (filtered tools, local tools added), or is refused (a `tool_choice` on a
 * removed tool) with the removals in the trail.
 */
export function beginTools(tools: PipelineTools | undefined, req: CompletionRequest): ToolStart {
  if (!tools || !req.request.tools || req.request.tools.length === 0) return { kind: 'none' };
  try {
    const session = tools.governor.begin(req.request);
    return session ? { kind: 'session', session, localTimeoutMs: tools.governor.policy.localTools.timeoutMs } : { kind: 'none' };
  } catch (err) {
    if (!(err instanceof ToolPolicyRequestError)) throw err;
    return { kind: 'refused', error: { status: err.status, code: err.code, type: err.type, message: err.message, param: err.param }, trail: { attempts: [], failover: false, tools: err.trail } };
  }
}
