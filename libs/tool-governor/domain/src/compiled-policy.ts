import { NamePatterns } from './name-patterns';
import type { RepairClass, ToolPolicy } from './policy.schema';

/** A policy with its lookups built once per version, not per request. */
export class CompiledToolPolicy {
  readonly allow: NamePatterns;
  readonly deny: NamePatterns;
  readonly repairClasses: ReadonlySet<RepairClass>;

  constructor(readonly policy: ToolPolicy) {
    this.allow = new NamePatterns(policy.tools.allow);
    this.deny = new NamePatterns(policy.tools.deny);
    this.repairClasses = new Set(policy.repair.classes);
  }

  /** Alias -> parameter for one tool: its own entries over those of prefix patterns over `*`. */
  aliasesFor(tool: string): Record<string, string> {
    const merged: Record<string, string> = {};
    const entries = Object.entries(this.policy.aliases).sort(([a], [b]) => specificity(a) - specificity(b));
    for (const [pattern, map] of entries) {
      if (pattern === tool || (pattern.endsWith('*') && tool.startsWith(pattern.slice(0, -1)))) Object.assign(merged, map);
    }
    return merged;
  }
}

/** `*` first, then prefixes by length, then exact names: the most specific entry is applied last. */
function specificity(pattern: string): number {
  return pattern.endsWith('*') ? pattern.length - 1 : 10_000;
}
