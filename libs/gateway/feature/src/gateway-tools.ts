import type { ServiceRuntime } from '@cp/shared/runtime';
import { ToolGovernorExecute } from '@cp/shared/contracts';
import type { LocalToolRunner } from '@cp/router/data-plane';
import { ToolGovernor, type ToolPolicyVersion } from '@cp/tool-governor/domain';
import { PolicyFollower } from '@cp/tool-governor/feature';

/**
 * The gateway's tool governance: the policy copy the pipeline enforces (the file at boot, else the
 * last published version, else the default), following the versions tool-governor publishes, and
 * the local tools run through tool-governor's RPC. With tool-governor down, the copy keeps being
 * enforced and a local tool answers the model a tool error.
 */
export class GatewayTools {
  readonly governor: ToolGovernor;
  readonly follower: PolicyFollower;
  readonly runner: LocalToolRunner;

  constructor(rt: ServiceRuntime, starting: ToolPolicyVersion) {
    this.governor = new ToolGovernor(starting.policy, starting.version);
    this.follower = new PolicyFollower(rt, starting.version, (v) => this.governor.use(v.policy, v.version));
    this.runner = natsLocalToolRunner(rt);
    rt.logger.info({ version: starting.version }, 'tool policy loaded');
  }

  details(): Record<string, unknown> {
    return { toolPolicyVersion: this.governor.version, skippedToolPolicies: this.follower.skipped };
  }
}

/** Local tools over `cp.tool-governor.rpc.execute.v1`, bounded by the timeout; no answer is a tool error, never a thrown one. */
export function natsLocalToolRunner(rt: ServiceRuntime): LocalToolRunner {
  return {
    async run(tool, args, timeoutMs, parent) {
      try {
        const reply = await rt.bus.request(ToolGovernorExecute, { tool, arguments: args, timeoutMs: Math.max(1, Math.floor(timeoutMs)) }, timeoutMs, parent);
        if (reply.ok) return { isError: reply.isError, content: reply.content };
        return { isError: true, content: JSON.stringify({ error: 'local_tool_failed', message: reply.error.message }) };
      } catch (err) {
        return { isError: true, content: JSON.stringify({ error: 'local_tool_unavailable', message: `the local tool ${tool} could not be run: ${err instanceof Error ? err.message.slice(0, 200) : 'no answer'}` }) };
      }
    },
  };
}
