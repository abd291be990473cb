import { applyConflictRules, contradicts } from './conflicts';
import { dedupResults } from './dedup';
import { buildMemoryBlock } from './memory-block';
import { mergeLayerHits } from './merge-results';
import type { LayerHit, MemoryResult } from './scoring';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const at = (h: number) => new Date(NOW - h * 3_600_000).toISOString();
function result(over: Partial<MemoryResult> & Pick<MemoryResult, 'id' | 'layer' | 'text'>): MemoryResult {
  return { score: 0.5, confidence: 0.5, relevance: 0.5, provenance: [{ layer: over.layer, id: over.id, updatedAt: at(1) }], ...over };
}

describe('dedupResults', () => {
  it('Given the same text in the KB and in the status layer, When merged, Then one result remains with the best score and both provenances', () => {
    const out = dedupResults([
      result({ id: 's1', layer: 'status', text: 'Active projects: Apollo and Zephyr.', score: 0.6 }),
      result({ id: 'k1', layer: 'kb', text: 'active projects: Apollo and Zephyr', score: 0.9 }),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ id: 'k1', score: 0.9 });
    expect(out[0].provenance.map((p) => p.layer).sort()).toEqual(['kb', 'status']);
  });

  it.each([
    ['the same source hash', { source: 'sha256:aa' }, { source: 'sha256:aa' }, 'alpha beta gamma delta', 'something else entirely here', 1],
    ['near-identical text', {}, {}, 'the quick brown fox jumps over the lazy dog today', 'the quick brown fox jumps over the lazy dog today!', 1],
    ['different text and sources', { source: 'sha256:aa' }, { source: 'sha256:bb' }, 'alpha beta gamma delta', 'entirely different words in here', 2],
  ])('Given %s, When merged, Then %#: results count as expected', (_c, pa, pb, ta, tb, n) => {
    const a = result({ id: 'a', layer: 'kb', text: ta, provenance: [{ layer: 'kb', id: 'a', updatedAt: at(1), ...pa }] });
    const b = result({ id: 'b', layer: 'multimodal', text: tb, provenance: [{ layer: 'multimodal', id: 'b', updatedAt: at(1), ...pb }] });
    expect(dedupResults([a, b])).toHaveLength(n);
  });
});

describe('conflict rules', () => {
  const stalePref = result({ id: 'p1', layer: 'preferences', kind: 'preference', polarity: 'negative', text: 'Never use MongoDB', score: 0.6, confidence: 0.6, provenance: [{ layer: 'preferences', id: 'p1', updatedAt: at(24 * 30) }] });
  const freshPriority = result({ id: 's1', layer: 'status', kind: 'priority', text: 'Migrate the billing service to MongoDB this quarter', score: 0.55, confidence: 0.55, provenance: [{ layer: 'status', id: 's1', updatedAt: at(1) }] });

  it('Given a stale preference contradicted by a fresh priority, When the rules apply, Then both are annotated, the preference is penalised and ranked below', () => {
    const { results, conflicts } = applyConflictRules([stalePref, freshPriority]);
    expect(results.map((r) => r.id)).toEqual(['s1', 'p1']);
    expect(results[1].score).toBeCloseTo(0.3, 5);
    expect(results[0].conflicts?.[0]).toMatchObject({ with: { id: 'p1', layer: 'preferences' } });
    expect(results[1].conflicts?.[0].reason).toContain('mongodb');
    expect(conflicts).toEqual([expect.objectContaining({ penalized: 'p1' })]);
  });

  it.each([
    ['same side of the same subject', 'Always use PostgreSQL', 'positive', 'Priority: PostgreSQL upgrade', false],
    ['opposite sides of different subjects', 'Never use tabs', 'negative', 'Ship the Kafka migration', false],
    ['opposite sides of the same subject', "Don't deploy on Fridays", 'negative', 'Deploy the release on fridays', true],
  ] as const)('Given %s, Then contradicts is %s', (_c, pref, polarity, status, expected) => {
    const a = result({ id: 'a', layer: 'preferences', kind: 'preference', polarity, text: pref });
    const b = result({ id: 'b', layer: 'status', kind: 'priority', text: status });
    expect(contradicts(a, b) !== null).toBe(expected);
  });

  it('Given two KB chunks with opposite wording, Then they are reference text and never a conflict', () => {
    expect(contradicts(result({ id: 'a', layer: 'kb', text: 'never use tabs' }), result({ id: 'b', layer: 'kb', text: 'use tabs' }))).toBeNull();
  });
});

describe('mergeLayerHits', () => {
  it('Given hits from three layers, When merged, Then scores are weight x relevance x freshness, duplicates merge and the limit cuts last', () => {
    const hits: LayerHit[] = [
      { layer: 'kb', id: 'k', text: 'Deploys run on Kubernetes with Helm charts', relevance: 0.8, provenance: { layer: 'kb', id: 'k', updatedAt: at(1) } },
      { layer: 'multimodal', id: 'm', text: 'Deploys run on Kubernetes with Helm charts.', relevance: 0.7, provenance: { layer: 'multimodal', id: 'm', updatedAt: at(1) } },
      { layer: 'status', id: 's', text: 'Priority: cost review', relevance: 0.4, kind: 'priority', provenance: { layer: 'status', id: 's', updatedAt: at(1) } },
    ];
    const { results } = mergeLayerHits(hits, NOW, { ...require('./merge-results').DEFAULT_MERGE, limit: 5 });
    expect(results.map((r) => [r.id, r.score])).toEqual([['k', 0.8], ['s', 0.28]]);
    expect(results[0].provenance.map((p) => p.layer)).toEqual(['kb', 'multimodal']);
  });
});

describe('buildMemoryBlock', () => {
  it('Given status and results, When built, Then status comes first and results follow within the budget', () => {
    const block = buildMemoryBlock(
      {
        status: [{ id: 'n', kind: 'note', text: 'active projects: Apollo, Zephyr' }, { id: 'p', kind: 'priority', text: 'ship v2' }],
        results: [{ id: 'r1', layer: 'kb', text: 'a'.repeat(100), score: 0.9 }, { id: 'r2', layer: 'kb', text: 'b'.repeat(400), score: 0.8 }],
      },
      80,
    );
    expect(block?.text.split('\n').slice(1, 3)).toEqual(['- priority: ship v2', '- status: active projects: Apollo, Zephyr']);
    expect(block?.items).toEqual([{ id: 'p', layer: 'status' }, { id: 'n', layer: 'status' }, { id: 'r1', layer: 'kb' }]);
    expect(block!.tokens).toBeLessThanOrEqual(80);
  });

  it('Given nothing to say, Then there is no block', () => {
    expect(buildMemoryBlock({ status: [], results: [] }, 500)).toBeNull();
  });
});
