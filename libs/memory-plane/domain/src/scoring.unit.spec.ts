import { reciprocalRankFusion } from './fusion';
import { confidence, DEFAULT_SCORING, freshness, type LayerHit } from './scoring';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();
const hit = (layer: LayerHit['layer'], relevance: number, updatedAt: string): LayerHit => ({ layer, id: 'x', text: 't', relevance, provenance: { layer, id: 'x', updatedAt } });

describe('freshness', () => {
  it.each([
    ['kb', 1, 1],
    ['kb', 72, 1],
    ['kb', 72 + 30 * 24, 0.5],
    ['kb', 72 + 60 * 24, 0.3],
    ['kb', 10_000, 0.3],
    ['preferences', 10_000, 1],
    ['status', 10_000, 1],
  ] as const)('Given a %s item %d hours old, Then its freshness is %d', (layer, hours, expected) => {
    expect(freshness(layer, hoursAgo(hours), NOW)).toBeCloseTo(expected, 3);
  });

  it('Given a configured fresh window of 1 hour, When a KB item is 2 hours old, Then it has decayed', () => {
    expect(freshness('kb', hoursAgo(2), NOW, { ...DEFAULT_SCORING, kbFreshMs: 3_600_000 })).toBeLessThan(1);
  });
});

describe('confidence', () => {
  it.each([
    ['kb', 0.8, 0, 0.8],
    ['multimodal', 1, 0, 0.85],
    ['status', 0.5, 0, 0.35],
    ['preferences', 1, 0, 0.6],
    ['kb', 1, 72 + 30 * 24, 0.5],
    ['kb', 1.7, 0, 1],
  ] as const)('Given a %s hit of relevance %d aged %d h, Then confidence = weight x relevance x freshness = %d', (layer, rel, hours, expected) => {
    expect(confidence(hit(layer, rel, hoursAgo(hours)), NOW)).toBeCloseTo(expected, 3);
  });
});

describe('reciprocalRankFusion', () => {
  it('Given two lists, When fused, Then an id ranked well by both comes first and every id is kept once', () => {
    const fused = reciprocalRankFusion([['a', 'b', 'c'], ['b', 'd', 'a']], 60);
    expect(fused.map((f) => f.id)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0].ranks).toEqual([2, 1]);
    expect(fused[0].rrf).toBeCloseTo(1 / 62 + 1 / 61, 10);
    expect(fused.find((f) => f.id === 'c')?.ranks).toEqual([3, null]);
  });

  it('Given an id twice in one list, When fused, Then only its best rank counts', () => {
    expect(reciprocalRankFusion([['a', 'a']], 60)[0].rrf).toBeCloseTo(1 / 61, 10);
  });
});
