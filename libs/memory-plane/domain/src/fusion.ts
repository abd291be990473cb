/** One ranked list of ids from one retriever (vector similarity, full-text rank). */
export type RankedList = readonly string[];

export interface Fused {
  id: string;
  /** Sum over the lists of 1 / (k + rank), rank from 1. */
  rrf: number;
  /** The id's rank in each list (null when absent). */
  ranks: (number | null)[];
}

/**
 * Reciprocal rank fusion (Cormack et al. 2009): each list votes 1 / (k + rank) for each id; a
 * document ranked well by either retriever rises, one ranked well by both rises most. Ties keep
 * the order of first appearance, so the result is deterministic. `weights` scales each list's
 * votes (1 each by default).
 */
export function reciprocalRankFusion(lists: readonly RankedList[], k = 60, weights: readonly number[] = []): Fused[] {
  const byId = new Map<string, Fused & { first: number }>();
  let order = 0;
  lists.forEach((list, li) => {
    list.forEach((id, i) => {
      let f = byId.get(id);
      if (!f) {
        f = { id, rrf: 0, ranks: lists.map(() => null), first: order++ };
        byId.set(id, f);
      }
      if (f.ranks[li] === null) {
        f.ranks[li] = i + 1;
        f.rrf += (weights[li] ?? 1) / (k + i + 1);
      }
    });
  });
  return [...byId.values()].sort((a, b) => b.rrf - a.rrf || a.first - b.first).map(({ first: _first, ...f }) => f);
}
