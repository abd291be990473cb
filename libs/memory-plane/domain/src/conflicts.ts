import type { Layer, MemoryResult } from './scoring';
import { round } from './scoring';
import { contentWords } from './text';

export interface ConflictOptions {
  /** Factor applied to the score of the older result of a contradicting pair. */
  penalty: number;
}

export const DEFAULT_CONFLICTS: ConflictOptions = { penalty: 0.5 };

/** One contradiction found between two results, as listed in the query's answer. */
export interface ConflictPair {
  a: { id: string; layer: Layer };
  b: { id: string; layer: Layer };
  /** The result whose score was lowered (the older statement). */
  penalized: string;
  reason: string;
}

const NEGATIVE = /\b(never|don'?t|do not|does not|doesn'?t|avoid|stop|no longer|not|without|instead of|drop|deprecated?)\b/i;
/** Words that say how a statement is meant, not what it is about. */
const FRAME_WORDS = new Set(['never', 'avoid', 'stop', 'longer', 'instead', 'drop', 'deprecate', 'deprecated', 'active', 'project', 'projects', 'priority', 'priorities', 'current', 'currently', 'focus', 'now', 'new', 'should', 'must', 'prefer', 'rather', 'migrate', 'migrating', 'move', 'moving', 'switch', 'switching', 'work', 'working', 'doesn', 'isn', 'aren', 'won']);

/** Whether a short statement is for (`positive`) or against (`negative`) its subject. */
export function polarityOf(text: string): 'positive' | 'negative' {
  return NEGATIVE.test(text) ? 'negative' : 'positive';
}

/** The words of a statement that name its subject (frame words removed). */
export function subjectTerms(text: string): Set<string> {
  return new Set(contentWords(text).map(stem).filter((w) => !FRAME_WORDS.has(w)));
}

function stem(w: string): string {
  return w.length > 4 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w;
}

/**
 * Two statements contradict when they are about the same subject (they share a subject term)
 * and take opposite sides of it. Only short statements take part (preferences and status items):
 * a knowledge-base chunk is reference text, not a position.
 */
export function contradicts(a: MemoryResult, b: MemoryResult): string | null {
  if (!a.kind || !b.kind) return null;
  const pa = a.polarity ?? polarityOf(a.text);
  const pb = b.polarity ?? polarityOf(b.text);
  if (pa === pb) return null;
  const ta = subjectTerms(a.text);
  const shared = [...subjectTerms(b.text)].filter((t) => ta.has(t));
  if (shared.length === 0) return null;
  const what = a.kind === 'preference' || b.kind === 'preference' ? (a.kind === 'preference' && b.kind === 'preference' ? 'two preferences disagree' : `a preference contradicts an active ${a.kind === 'preference' ? b.kind : a.kind}`) : 'two status items disagree';
  return `${what} about ${shared.slice(0, 3).join(', ')}`;
}

/**
 * Annotates every contradicting pair on both results and penalises the older statement of each
 * pair (newer information wins; on a tie, the lower-weighted layer). Nothing is dropped: the
 * penalised result stays in the list, below. Returns new results (by score) and the pairs.
 */
export function applyConflictRules(results: readonly MemoryResult[], opts: ConflictOptions = DEFAULT_CONFLICTS): { results: MemoryResult[]; conflicts: ConflictPair[] } {
  const out = results.map((r) => ({ ...r, conflicts: r.conflicts ? [...r.conflicts] : undefined }));
  const pairs: ConflictPair[] = [];
  const penalized = new Set<string>();
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i];
      const b = out[j];
      const reason = contradicts(a, b);
      if (!reason) continue;
      (a.conflicts ??= []).push({ with: { id: b.id, layer: b.layer }, reason });
      (b.conflicts ??= []).push({ with: { id: a.id, layer: a.layer }, reason });
      const loser = older(a, b);
      pairs.push({ a: { id: a.id, layer: a.layer }, b: { id: b.id, layer: b.layer }, penalized: loser.id, reason });
      if (!penalized.has(loser.id)) {
        penalized.add(loser.id);
        loser.score = round(loser.score * opts.penalty);
      }
    }
  }
  return { results: out.map((r) => (r.conflicts ? r : withoutConflicts(r))).sort((x, y) => y.score - x.score), conflicts: pairs };
}

function withoutConflicts(r: MemoryResult & { conflicts?: unknown }): MemoryResult {
  const { conflicts: _c, ...rest } = r;
  return rest;
}

function newest(r: MemoryResult): number {
  return Math.max(...r.provenance.map((p) => Date.parse(p.updatedAt) || 0));
}

function older(a: MemoryResult, b: MemoryResult): MemoryResult {
  const ta = newest(a);
  const tb = newest(b);
  if (ta !== tb) return ta < tb ? a : b;
  return a.confidence <= b.confidence ? a : b;
}
