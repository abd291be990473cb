import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { CompiledToolPolicy } from './compiled-policy';
import { filterRequestTools } from './filter-request';
import { DEFAULT_TOOL_POLICY, type ToolPolicy } from './policy.schema';
import type { SimplifiedTool } from './simplify-schema';
import { ToolSession } from './tool-session';
import { ValidatorCache } from './validator-cache';

/**
 * The tool policy as the completion pipeline applies it, from a local copy: a new version swaps in
 * without a restart, and compiled schemas (by schema text) survive the swap. A request without
 * tools costs one property check.
 */
export class ToolGovernor {
  private compiled: CompiledToolPolicy;
  private readonly validators = new ValidatorCache();
  private readonly simplified = new Map<string, SimplifiedTool>();

  constructor(
    policy: ToolPolicy = DEFAULT_TOOL_POLICY,
    private currentVersion = 'default',
  ) {
    this.compiled = new CompiledToolPolicy(policy);
  }

  get version(): string {
    return this.currentVersion;
  }

  get policy(): ToolPolicy {
    return this.compiled.policy;
  }

  /** A new policy version: requests that start from now on use it. */
  use(policy: ToolPolicy, version: string): void {
    this.compiled = new CompiledToolPolicy(policy);
    this.currentVersion = version;
  }

  /**
   * The tool session of a request, or undefined when the request carries no tools (nothing to do).
   * @throws ToolPolicyRequestError when `tool_choice` names a tool the policy removed.
   */
  begin(request: ChatCompletionRequest): ToolSession | undefined {
    if (!request.tools || request.tools.length === 0) return undefined;
    return new ToolSession(filterRequestTools(request, this.compiled), this.compiled, this.validators, this.simplified);
  }
}
