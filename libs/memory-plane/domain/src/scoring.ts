/** The four memory layers, in the order their results are explained. */
export const LAYERS = ['kb', 'multimodal', 'status', 'preferences'] as const;
export type Layer = (typeof LAYERS)[number];

/** Where one result came from: a document chunk, a remembered file, a status item, a preference. */
export interface Provenance {
  layer: Layer;
  /** The id of the stored item (chunk, multimodal item, status item, preference). */
  id: string;
  /** The item's content identity (`sha256:<hex>` of a chunk's text or a file's bytes): equal sources are one item. */
  source?: string;
  /** The document a chunk belongs to, its title and where it was ingested from. */
  documentId?: string;
  title?: string;
  origin?: string;
  updatedAt: string;
}

/** A result one layer found, before cross-layer merging. */
export interface LayerHit {
  layer: Layer;
  id: string;
  text: string;
  /** 0..1: how well the item matches the query (cosine similarity, keyword rank). */
  relevance: number;
  provenance: Provenance;
  /** For conflict rules: a preference's polarity, a status item's kind. */
  polarity?: 'positive' | 'negative';
  kind?: 'priority' | 'project' | 'note' | 'preference';
}

export interface Conflict {
  /** The other result's id and layer. */
  with: { id: string; layer: Layer };
  reason: string;
}

/** One answer of the memory query. */
export interface MemoryResult {
  layer: Layer;
  id: string;
  text: string;
  /** confidence after penalties: what results are ranked by. */
  score: number;
  /** layer weight x relevance x freshness. */
  confidence: number;
  relevance: number;
  provenance: Provenance[];
  conflicts?: Conflict[];
  polarity?: 'positive' | 'negative';
  kind?: LayerHit['kind'];
}

export interface ScoringConfig {
  weights: Record<Layer, number>;
  /** KB results younger than this keep full freshness. */
  kbFreshMs: number;
  /** Past `kbFreshMs`, freshness halves every `kbHalfLifeMs` (never below `minFreshness`). */
  kbHalfLifeMs: number;
  minFreshness: number;
}

const HOUR = 3_600_000;

export const DEFAULT_SCORING: ScoringConfig = {
  weights: { kb: 1.0, multimodal: 0.85, status: 0.7, preferences: 0.6 },
  kbFreshMs: 72 * HOUR,
  kbHalfLifeMs: 30 * 24 * HOUR,
  minFreshness: 0.3,
};

/** 1 while fresh; older KB results decay by half-life down to a floor. Other layers do not decay (status and preferences are current by definition). */
export function freshness(layer: Layer, updatedAt: string, now: number, cfg: ScoringConfig = DEFAULT_SCORING): number {
  if (layer !== 'kb') return 1;
  const age = now - Date.parse(updatedAt);
  if (!Number.isFinite(age) || age <= cfg.kbFreshMs) return 1;
  const decayed = Math.pow(0.5, (age - cfg.kbFreshMs) / cfg.kbHalfLifeMs);
  return Math.max(cfg.minFreshness, decayed);
}

/** confidence = layer weight x relevance x freshness, each in 0..1. */
export function confidence(hit: LayerHit, now: number, cfg: ScoringConfig = DEFAULT_SCORING): number {
  const relevance = Math.min(1, Math.max(0, hit.relevance));
  return round(cfg.weights[hit.layer] * relevance * freshness(hit.layer, hit.provenance.updatedAt, now, cfg));
}

export function toResult(hit: LayerHit, now: number, cfg: ScoringConfig = DEFAULT_SCORING): MemoryResult {
  const c = confidence(hit, now, cfg);
  return { layer: hit.layer, id: hit.id, text: hit.text, score: c, confidence: c, relevance: round(hit.relevance), provenance: [hit.provenance], ...(hit.polarity ? { polarity: hit.polarity } : {}), ...(hit.kind ? { kind: hit.kind } : {}) };
}

export function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
