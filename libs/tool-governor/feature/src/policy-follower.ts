import { ToolPolicyPublished } from '@cp/shared/contracts';
import { VersionFollower } from '@cp/shared/messaging';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { parseToolPolicy, type ToolPolicyVersion } from '@cp/tool-governor/domain';

/**
 * A gateway's side of policy distribution: every version tool-governor publishes is validated here
 * again and, when new, handed to `apply`. A version that fails is logged and skipped; the last good
 * one stays. When tool-governor is down nothing changes: the local copy keeps being enforced.
 */
export class PolicyFollower extends VersionFollower<ToolPolicyVersion> {
  constructor(rt: Pick<ServiceRuntime, 'bus' | 'logger'>, current: string, apply: (v: ToolPolicyVersion) => void) {
    super(rt, current, { event: ToolPolicyPublished, what: 'tool policy', parse: parseToolPolicy, apply });
  }
}
