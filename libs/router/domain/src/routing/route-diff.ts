import { formatModelRef, type ModelRef } from '../registry/registry.types';
import type { RouteDecision } from './route-decision';

/** The route choice made again now: a decision, or the error it would end in. */
export type ReplayedRoute = { ok: true; decision: RouteDecision } | { ok: false; code: string; message: string };

const names = (refs: ModelRef[]) => refs.map(formatModelRef);

/**
 * What would differ if the request came now: another route, candidates added, removed or
 * reordered, capability filtering, and breakers that now stand open (`breakers`: key → state).
 * Empty when the choice is the same and every candidate is admitted.
 */
export function routeDifferences(recorded: RouteDecision, now: ReplayedRoute, breakers: Record<string, string>): string[] {
  if (!now.ok) return [`the route choice would now fail: ${now.code}: ${now.message}`];
  const d = now.decision;
  const out: string[] = [];
  if (d.route !== recorded.route) out.push(`route "${recorded.route}" would now be "${d.route}" (${d.reason})`);
  const was = names(recorded.candidates);
  const is = names(d.candidates);
  const removed = was.filter((n) => !is.includes(n));
  const added = is.filter((n) => !was.includes(n));
  if (removed.length > 0) out.push(`no longer candidates: ${removed.join(', ')}`);
  if (added.length > 0) out.push(`new candidates: ${added.join(', ')}`);
  const keptWas = was.filter((n) => is.includes(n));
  const keptIs = is.filter((n) => was.includes(n));
  if (keptWas.join() !== keptIs.join()) out.push(`candidate order was ${was.join(' → ')}, now ${is.join(' → ')}`);
  if (is[0] !== was[0]) out.push(`first choice would be ${is[0]} instead of ${was[0] ?? 'none'}`);
  for (const f of d.filtered) {
    const before = recorded.filtered.find((r) => formatModelRef(r) === formatModelRef(f));
    if (!before || before.reason !== f.reason) out.push(`${formatModelRef(f)} is now filtered out: ${f.reason}`);
  }
  for (const name of is) {
    const state = breakers[name];
    if (state && state !== 'closed') out.push(`${name}'s breaker is ${state} now: it would be ${state === 'open' ? 'skipped' : 'probed'}`);
  }
  return out;
}
