import type { ChatCompletionRequest, FunctionTool } from '@cp/shared/contracts';
import type { CompiledToolPolicy } from './compiled-policy';
import { LOCAL_TOOL_DEFINITIONS } from './local-tools';
import type { LocalToolName } from './policy.schema';
import type { ToolTrailEntry } from './tool-trail';

/** A request refused by the tool policy, in the shape the edge maps to the OpenAI error body. */
export class ToolPolicyRequestError extends Error {
  readonly status = 400;
  readonly type = 'invalid_request_error';
  constructor(
    readonly code: 'tool_not_allowed' | 'no_tools_left',
    message: string,
    readonly param: string,
    /** What the policy had removed before refusing, for the request's trail. */
    readonly trail: ToolTrailEntry[] = [],
  ) {
    super(message);
    this.name = 'ToolPolicyRequestError';
  }
}

/** The request as the provider may see it, the tools it offers (client and local) and what was removed. */
export interface FilteredRequest {
  request: ChatCompletionRequest;
  /** Every tool the model is offered, by name: the client's allowed tools and the local ones added. */
  offered: Map<string, FunctionTool>;
  /** The client's own tools among them: only calls of these may reach the client. */
  clientTools: Set<string>;
  localTools: Set<LocalToolName>;
  trail: ToolTrailEntry[];
}

/**
 * Applies the policy to a request's tools: denied ones and ones outside the allow list are
 * removed, then everything past the cap; the local tools the policy offers are added (never over
 * a client tool of the same name, never when `tool_choice` is `none`). A `tool_choice` naming a
 * removed tool is refused. A request without tools is not touched (the caller does not even call this).
 * @throws ToolPolicyRequestError
 */
export function filterRequestTools(request: ChatCompletionRequest, policy: CompiledToolPolicy): FilteredRequest {
  const trail: ToolTrailEntry[] = [];
  const kept: FunctionTool[] = [];
  for (const tool of request.tools ?? []) {
    const name = tool.function.name;
    if (policy.deny.matches(name)) trail.push({ tool: name, action: 'removed', reason: 'denied' });
    else if (!policy.allow.matches(name)) trail.push({ tool: name, action: 'removed', reason: 'not_allowed' });
    else if (kept.length >= policy.policy.tools.maxPerRequest) trail.push({ tool: name, action: 'removed', reason: 'over_cap' });
    else kept.push(tool);
  }
  const choice = request.tool_choice;
  if (choice && typeof choice === 'object' && !kept.some((t) => t.function.name === choice.function.name)) {
    const removed = trail.some((e) => e.tool === choice.function.name);
    throw new ToolPolicyRequestError('tool_not_allowed', removed ? `tool_choice names the tool '${choice.function.name}', which the tool policy does not allow` : `tool_choice names the tool '${choice.function.name}', which is not among the request's tools`, 'tool_choice', trail);
  }
  const offered = new Map(kept.map((t) => [t.function.name, t]));
  const clientTools = new Set(offered.keys());
  const localTools = new Set<LocalToolName>();
  if (choice !== 'none' && typeof choice !== 'object') {
    for (const name of policy.policy.localTools.offer) {
      if (offered.has(name)) continue;
      offered.set(name, LOCAL_TOOL_DEFINITIONS[name]);
      localTools.add(name);
      trail.push({ tool: name, action: 'offered_local' });
    }
  }
  if (offered.size === 0 && choice === 'required') throw new ToolPolicyRequestError('no_tools_left', 'tool_choice is "required" but the tool policy removed every tool of the request', 'tool_choice', trail);
  const next: ChatCompletionRequest = { ...request };
  if (offered.size === 0) {
    delete next.tools;
    delete next.tool_choice;
  } else next.tools = [...offered.values()];
  return { request: next, offered, clientTools, localTools, trail };
}
