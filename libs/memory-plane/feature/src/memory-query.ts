import { contentWords, DEFAULT_MERGE, LAYERS, mergeLayerHits, type Layer, type LayerHit, type ScoringConfig } from '@cp/memory-plane/domain';
import { cosine } from '@cp/memory-plane/embedding';
import type { MemoryQueryReply } from '@cp/shared/contracts';
import { withDeadline, sleep } from './deadline';
import { searchKb } from './kb-search';
import type { Cached, MemoryState } from './memory-state';

export interface QueryOptions {
  layerTimeoutMs: number;
  scoring: ScoringConfig;
  /** Small-layer items below this relevance are not results. */
  minRelevance: number;
}

/**
 * One query across the layers: each layer runs in parallel under its own deadline; a layer that
 * fails or is late is left out and named in `degraded`, the others still answer. Then the pure
 * merge: scoring, cross-layer dedup, conflict rules, ranking.
 */
export async function queryMemory(state: MemoryState, req: { query: string; layers?: Layer[]; limit?: number; withStatus?: boolean }, opts: QueryOptions, now = Date.now): Promise<MemoryQueryReply> {
  const started = performance.now();
  const layers = req.layers ?? [...LAYERS];
  const limit = req.limit ?? 10;
  const vector = state.embedder.embed([req.query]).then((v) => v[0]);
  vector.catch(() => undefined);
  const degraded: Layer[] = [];
  const settled = await Promise.all(
    layers.map((layer) =>
      withDeadline(runLayer(state, layer, req.query, vector, limit, opts), opts.layerTimeoutMs, `memory layer ${layer}`).then(
        (hits) => hits,
        () => {
          degraded.push(layer);
          return [] as LayerHit[];
        },
      ),
    ),
  );
  const { results, conflicts } = mergeLayerHits(settled.flat(), now(), { ...DEFAULT_MERGE, scoring: opts.scoring, limit });
  return {
    results: results.map(({ polarity: _p, ...r }) => r),
    conflicts,
    degraded: LAYERS.filter((l) => degraded.includes(l)),
    ...(req.withStatus ? { status: state.status.map((s) => s.value) } : {}),
    tookMs: Math.round((performance.now() - started) * 100) / 100,
  };
}

async function runLayer(state: MemoryState, layer: Layer, query: string, vector: Promise<Float32Array>, limit: number, opts: QueryOptions): Promise<LayerHit[]> {
  const fault = state.faults.get(layer);
  if (fault === 'fail') throw new Error(`memory layer ${layer} is failing (fault switch)`);
  if (fault === 'slow') await sleep(opts.layerTimeoutMs * 2);
  const q = await vector;
  switch (layer) {
    case 'kb':
      return searchKb(state.kb, state.embedder, query, q, limit);
    case 'preferences':
      return smallLayer(state.preferences, query, q, opts.minRelevance, (p) => ({ layer, id: p.id, kind: 'preference', polarity: p.polarity, updatedAt: p.createdAt }));
    case 'status':
      return smallLayer(state.status, query, q, opts.minRelevance, (s) => ({ layer, id: s.id, kind: s.kind, updatedAt: s.updatedAt }));
    case 'multimodal':
      return smallLayer(state.items, query, q, opts.minRelevance, (i) => ({ layer, id: i.id, source: `sha256:${i.contentHash}`, updatedAt: i.lastSeen, origin: i.filename ?? undefined }));
    default: {
      const never: never = layer;
      throw new Error(`unknown layer ${String(never)}`);
    }
  }
}

/** Scores every cached item: cosine similarity plus a boost for the query's words it contains. */
function smallLayer<T>(items: Cached<T>[], query: string, q: Float32Array, min: number, describe: (v: T) => { layer: Layer; id: string; updatedAt: string; kind?: LayerHit['kind']; polarity?: LayerHit['polarity']; source?: string; origin?: string }): LayerHit[] {
  const terms = new Set(contentWords(query));
  const out: LayerHit[] = [];
  for (const item of items) {
    const words = contentWords(item.text);
    const shared = terms.size ? words.filter((w) => terms.has(w)).length / terms.size : 0;
    const relevance = Math.min(1, Math.max(0, cosine(q, item.vector)) + 0.5 * Math.min(1, shared));
    if (relevance < min) continue;
    const d = describe(item.value);
    out.push({ layer: d.layer, id: d.id, text: item.text, relevance, ...(d.kind ? { kind: d.kind } : {}), ...(d.polarity ? { polarity: d.polarity } : {}), provenance: { layer: d.layer, id: d.id, updatedAt: d.updatedAt, ...(d.source ? { source: d.source } : {}), ...(d.origin ? { origin: d.origin } : {}) } });
  }
  return out;
}
