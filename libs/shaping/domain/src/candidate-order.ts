/**
 * Candidates where the request fits whole go first, each group in route order, so a conversation
 * too long for the route's first model goes to one that takes it unshaped; shaping happens only
 * when none does. With `keepFirst` (the client named a model) that model stays first and only its
 * fallbacks are ordered. Nothing moves when every candidate fits, or none does.
 */
export function orderByFit<C>(candidates: C[], fitsWhole: (candidate: C) => boolean, keepFirst: boolean): { ordered: C[]; reordered: boolean } {
  const head = keepFirst ? candidates.slice(0, 1) : [];
  const rest = keepFirst ? candidates.slice(1) : candidates;
  const fitting: C[] = [];
  const others: C[] = [];
  for (const c of rest) (fitsWhole(c) ? fitting : others).push(c);
  if (fitting.length === 0 || others.length === 0) return { ordered: candidates, reordered: false };
  const ordered = [...head, ...fitting, ...others];
  return { ordered, reordered: ordered.some((c, i) => c !== candidates[i]) };
}
