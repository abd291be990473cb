import type { Layer } from './scoring';
import { estimateTokens } from './text';

/** What the memory block is built from: the status (always first) and the query's results. */
export interface BlockInput {
  status: { id: string; kind: 'priority' | 'project' | 'note'; text: string }[];
  results: { id: string; layer: Layer; text: string; score: number; conflicts?: unknown[] }[];
}

export interface MemoryBlock {
  text: string;
  /** What went in, in order: the ledger records these. */
  items: { id: string; layer: Layer }[];
  tokens: number;
}

const HEADER = 'Memory (from the control plane; use it when relevant, it may be incomplete):';

/**
 * One system-prompt block: operational status and priorities first, then the top results for the
 * latest user message, each line added only while the block stays within `tokenBudget`. A result
 * the status already carries is not repeated. Returns null when there is nothing to say.
 */
export function buildMemoryBlock(input: BlockInput, tokenBudget: number, maxResultChars = 600): MemoryBlock | null {
  const lines: string[] = [HEADER];
  const items: MemoryBlock['items'] = [];
  let tokens = estimateTokens(HEADER);
  const add = (line: string, item: { id: string; layer: Layer }) => {
    const t = estimateTokens(line) + 1;
    if (tokens + t > tokenBudget) return false;
    lines.push(line);
    items.push(item);
    tokens += t;
    return true;
  };
  const order = { priority: 0, project: 1, note: 2 } as const;
  for (const s of [...input.status].sort((a, b) => order[a.kind] - order[b.kind])) {
    add(`- ${s.kind === 'note' ? 'status' : s.kind}: ${oneLine(s.text, maxResultChars)}`, { id: s.id, layer: 'status' });
  }
  const seen = new Set(items.map((i) => i.id));
  for (const r of input.results) {
    if (seen.has(r.id)) continue;
    const note = r.conflicts && r.conflicts.length > 0 ? ' (conflicts with another memory item; newer information wins)' : '';
    if (!add(`- [${r.layer}] ${oneLine(r.text, maxResultChars)}${note}`, { id: r.id, layer: r.layer })) break;
  }
  if (items.length === 0) return null;
  return { text: lines.join('\n'), items, tokens };
}

function oneLine(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
