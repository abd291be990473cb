import { CAPABILITY_NAMES } from '@cp/shared/contracts';
import { replayRoute, RouterDomainError, routeDifferences, type ProviderRegistry, type ReplayedRoute, type RouteDecision } from '@cp/router/domain';
import { z } from 'zod';

const Ref = z.object({ provider: z.string(), model: z.string() });
/** A route decision as the trail recorded it (see `RouteDecision`). */
const RecordedRoute = z.object({
  requested: z.string(),
  route: z.string(),
  candidates: z.array(Ref),
  filtered: z.array(Ref.extend({ reason: z.string() })).default([]),
  required: z.array(z.enum(CAPABILITY_NAMES)).default([]),
  classification: z.object({ verdict: z.enum(['simple', 'complex']), score: z.number(), reasons: z.array(z.string()) }).optional(),
  reason: z.string(),
});
const Recorded = z.object({ trail: z.object({ route: RecordedRoute.optional() }).loose().optional() }).loose();

export interface ReplayReport {
  requestId: string;
  recorded: RouteDecision | null;
  now: ReplayedRoute | null;
  differences: string[];
  /** What this version cannot replay yet, said rather than skipped silently. */
  notes: string[];
}

/**
 * The route choice of a stored request made again against the current registry and breakers, with
 * no provider called; what would differ now. Shaping is not replayed: it needs the messages, which the ledger does not keep.
 */
export function replayRequest(requestId: string, payload: unknown, registry: ProviderRegistry, breakers: Record<string, string>): ReplayReport {
  const notes = ['the prompt is not in the ledger: the recorded classification is reused, and shaping (which needs the messages) is not replayed'];
  const parsed = Recorded.safeParse(payload);
  const recorded = parsed.success ? parsed.data.trail?.route : undefined;
  if (!recorded) return { requestId, recorded: null, now: null, differences: [], notes: ['the ledger event has no route decision (the request failed before routing)', ...notes] };
  let now: ReplayedRoute;
  try {
    now = { ok: true, decision: replayRoute(recorded, registry) };
  } catch (err) {
    if (!(err instanceof RouterDomainError)) throw err;
    now = { ok: false, code: err.code, message: err.message };
  }
  return { requestId, recorded, now, differences: routeDifferences(recorded, now, breakers), notes };
}
