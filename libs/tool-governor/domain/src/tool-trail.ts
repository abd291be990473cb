import type { RepairClass } from './policy.schema';

/** The longest text of arguments the trail keeps, before and after a repair. */
export const TRAIL_TEXT_LIMIT = 1024;

/** What happened to one tool or one tool call of a request, for the `tools` key of its trail. */
export type ToolTrailEntry =
  | { tool: string; action: 'removed'; reason: 'denied' | 'not_allowed' | 'over_cap' }
  | { tool: string; action: 'offered_local' }
  | { tool: string; action: 'simplified'; wire: string; dropped: string[] }
  | { tool: string; action: 'called'; round: number }
  | { tool: string; action: 'repaired'; classes: RepairClass[]; before: string; after: string; round: number }
  | { tool: string; action: 'blocked'; reason: 'not_offered'; round: number }
  | { tool: string; action: 'invalid'; violations: string[]; round: number }
  | { tool: string; action: 'self_corrected'; round: number }
  | { tool: string; action: 'local_run'; ok: boolean; ms: number; error?: string }
  | { tool: string; action: 'local_dropped'; reason: 'mixed_turn' | 'round_limit' };

/** Text cut to the trail's limit, with a marker saying how much was left out. */
export function cutForTrail(text: string): string {
  return text.length <= TRAIL_TEXT_LIMIT ? text : `${text.slice(0, TRAIL_TEXT_LIMIT)}…[${text.length - TRAIL_TEXT_LIMIT} more chars]`;
}
