import type { DecisionTrail } from '@cp/shared/contracts';

/** What later concerns add to the trail, read defensively: the keys are theirs to define. */
export interface TrailExtras {
  /** One class per repair made (`trail.repairs: [{ class }]`). */
  repairs: string[];
  /** `trail.shaping.level`, when the request was shaped. */
  shapingLevel?: string;
  /** `trail.memory.degraded` (a reason, or true), when memory was degraded. */
  memoryDegraded?: string;
}

const word = (v: unknown): string | undefined => (typeof v === 'string' && /^[a-z0-9_.-]{1,40}$/i.test(v) ? v : undefined);

/** Repairs, shaping level and memory degradation from a trail; empty until those concerns record them. */
export function trailExtras(trail: DecisionTrail | undefined): TrailExtras {
  const t = (trail ?? {}) as Record<string, unknown>;
  const repairs = Array.isArray(t.repairs) ? t.repairs.map((r) => word((r as { class?: unknown } | null)?.class) ?? 'other') : [];
  const shaping = t.shaping as { level?: unknown } | undefined;
  const memory = t.memory as { degraded?: unknown } | undefined;
  const degraded = memory?.degraded === true ? 'degraded' : word(memory?.degraded);
  return { repairs, ...(word(shaping?.level) ? { shapingLevel: word(shaping?.level) } : {}), ...(degraded ? { memoryDegraded: degraded } : {}) };
}
