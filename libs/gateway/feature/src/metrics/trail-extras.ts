import type { DecisionTrail } from '@cp/shared/contracts';

/** What other concerns add to the trail, read defensively: the keys are theirs to define. */
export interface TrailExtras {
  /** One repair class per class applied to a tool call (`trail.tools[]` entries with `action: 'repaired'`). */
  repairs: string[];
  /** Why memory was degraded (`trail.memory.degraded`: the layers that failed). */
  memoryDegraded: string[];
}

const word = (v: unknown): string | undefined => (typeof v === 'string' && /^[a-z0-9_.-]{1,40}$/i.test(v) ? v : undefined);
const words = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => word(x) ?? 'other') : []);

/** Tool repairs and memory degradation from a trail; empty where those concerns recorded nothing. */
export function trailExtras(trail: DecisionTrail | undefined): TrailExtras {
  const t = (trail ?? {}) as Record<string, unknown>;
  const tools = Array.isArray(t.tools) ? (t.tools as { action?: unknown; classes?: unknown }[]) : [];
  const repairs = tools.filter((e) => e?.action === 'repaired').flatMap((e) => words(e.classes));
  return { repairs, memoryDegraded: words((t.memory as { degraded?: unknown } | undefined)?.degraded) };
}
