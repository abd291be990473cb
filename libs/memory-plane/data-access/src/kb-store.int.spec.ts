import { planKeywordQuery } from '@cp/memory-plane/domain';
import { dropIsolation, newIsolation } from '@cp/shared/testing';
import { createMemoryDataSource, DEFAULT_HNSW, KbStore, MEMORY_MIGRATIONS, migrateMemory, PreferenceStore, StatusStore, vectorIndexName, VectorIndexes, type ChunkToStore } from './index';

const vec = (...xs: number[]) => Float32Array.from(xs);
const chunk = (index: number, text: string, v: Float32Array): ChunkToStore => ({ index, heading: null, text, embedding: v });
const E = 'test-embedder@1';

describe('KbStore (real Postgres with pgvector)', () => {
  const iso = newIsolation('kbstore');
  const ds = createMemoryDataSource(iso.databaseUrl, 4);
  let kb: KbStore;

  beforeAll(async () => {
    expect(await migrateMemory(iso.databaseUrl)).toEqual(MEMORY_MIGRATIONS.map((m) => m.name));
    expect(await migrateMemory(iso.databaseUrl)).toEqual([]);
    await ds.initialize();
    kb = new KbStore(ds);
    await kb.indexes.ensure(E, 3);
  });

  afterAll(async () => {
    await ds.destroy();
    await dropIsolation(iso);
  });

  it('Given the migrations ran, Then the chunks have an HNSW index (cosine, over halfvec) for the embedder and a GIN full-text index', async () => {
    const idx: { indexdef: string }[] = await ds.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'memory_chunks'`);
    expect(idx.map((i) => i.indexdef).join('\n')).toMatch(/USING hnsw \(\(\(embedding\)::halfvec\(3\)\) halfvec_cosine_ops\) WITH \(m='24', ef_construction='256'\) WHERE \(embedder = 'test-embedder@1'::text\)/);
    expect(idx.map((i) => i.indexdef).join('\n')).toMatch(/USING gin \(tsv\)/);
  });

  it('Given the halfvec index, When the vector query is planned, Then it orders by the index (not a scan and sort)', async () => {
    // A table this small is cheaper to scan and sort: that ruled out, the plan shows whether the query's ORDER BY matches the index at all.
    const plan = await kb.explainVectorSearch(E, vec(1, 0, 0), 5, { seqscan: false });
    expect(plan).toContain(`Index Scan using ${vectorIndexName(E, DEFAULT_HNSW)}`);
    expect(plan).not.toMatch(/Sort/);
  });

  it('Given an index of older parameters, When the index is ensured, Then it is replaced by one with the current parameters', async () => {
    const F = 'other-embedder@1';
    await kb.indexes.ensure(F, 3, { m: 8, efConstruction: 16, vectorType: 'halfvec' });
    expect(await kb.indexes.state(F)).toBe('outdated');
    await kb.indexes.ensure(F, 3, undefined, { concurrently: true, maintenanceWorkMem: '128MB' });
    expect(await kb.indexes.state(F)).toBe('current');
    const names: { indexname: string }[] = await ds.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'memory_chunks' AND indexdef LIKE '%other-embedder@1%'`);
    expect(names.map((n) => n.indexname)).toEqual([vectorIndexName(F, DEFAULT_HNSW)]);
    await kb.indexes.drop(F);
    expect(await kb.indexes.state(F)).toBe('missing');
  });

  it('Given a deployment with the full-precision vector index of before, When the index is ensured, Then queries use the old index until the halfvec one replaces it, and find the same chunks', async () => {
    const G = 'legacy-embedder@1';
    const legacy = { m: 24, efConstruction: 128, vectorType: 'vector' as const }; // the parameters of that index
    const hits = async (store: KbStore) => (await store.vectorSearch(G, vec(1, 0.1, 0), 3)).map((h) => h.text);
    await kb.indexes.ensure(G, 3, legacy);
    expect(vectorIndexName(G, legacy)).toMatch(/^memory_chunks_hnsw_[0-9a-f]{12}_m24_ef128$/); // the name main gave it
    const [{ indexdef }] = await ds.query(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [vectorIndexName(G, legacy)]);
    expect(indexdef).toContain('((embedding)::vector(3)) vector_cosine_ops');
    await kb.ingest({ title: 'Legacy', content: 'legacy doc', source: null, mimeType: 'text/plain' }, G, [chunk(0, 'east', vec(1, 0, 0)), chunk(1, 'north', vec(0, 1, 0)), chunk(2, 'north-east', vec(1, 1, 0))]);
    const before = new KbStore(ds);
    expect(await before.indexes.state(G)).toBe('outdated');
    expect(await before.indexes.searchType(G)).toBe('vector');
    expect(await before.explainVectorSearch(G, vec(1, 0, 0), 3, { seqscan: false })).toContain(`using ${vectorIndexName(G, legacy)}`);
    const old = await hits(before);
    expect(old).toEqual(['east', 'north-east', 'north']);

    await kb.indexes.ensure(G, 3, undefined, { concurrently: true });
    const after = new KbStore(ds);
    expect(await after.indexes.state(G)).toBe('current');
    expect(await after.indexes.searchType(G)).toBe('halfvec');
    expect((await after.indexes.sizes(G)).map((i) => i.name)).toEqual([vectorIndexName(G, DEFAULT_HNSW)]);
    expect(await after.explainVectorSearch(G, vec(1, 0, 0), 3, { seqscan: false })).toContain(`using ${vectorIndexName(G, DEFAULT_HNSW)}`);
    expect(await hits(after)).toEqual(old);
    // Similarities are those of the full-precision vectors: halfvec's 0.1 (0.09998) would be 1.5e-5 off.
    const [top] = await after.vectorSearch(G, vec(1, 1, 0), 1);
    expect(top.text).toBe('north-east');
    expect((await after.vectorSearch(G, vec(1, 0.1, 0), 2))[1].similarity).toBeCloseTo(1.1 / (Math.SQRT2 * Math.sqrt(1 + Math.fround(0.1) ** 2)), 6);
    await kb.indexes.drop(G);
  });

  it('Given a store that read the vector type, When another store replaces the index, Then the first follows once its 10 s cache expires', async () => {
    const H = 'cached-embedder@1';
    let now = 0;
    const reader = new VectorIndexes(ds, () => now);
    await kb.indexes.ensure(H, 3, { ...DEFAULT_HNSW, vectorType: 'vector' });
    expect(await reader.searchType(H)).toBe('vector');
    await kb.indexes.ensure(H, 3);
    now = 9_999;
    expect(await reader.searchType(H)).toBe('vector');
    now = 10_001;
    expect(await reader.searchType(H)).toBe('halfvec');
    await kb.indexes.drop(H);
  });

  it('Given a document, When ingested twice with the same content, Then the second is a no-op with the same id', async () => {
    const input = { title: 'Backups', content: 'pgBackRest runs nightly', source: 'docs/backups.md', mimeType: 'text/markdown' };
    const first = await kb.ingest(input, E, [chunk(0, 'pgBackRest runs nightly', vec(1, 0, 0))]);
    const second = await kb.ingest({ ...input, title: 'Another title' }, E, [chunk(0, 'pgBackRest runs nightly', vec(1, 0, 0))]);
    expect(first.outcome).toBe('created');
    expect(second).toMatchObject({ outcome: 'unchanged', document: { id: first.document.id, title: 'Backups' } });
    expect(await ds.query(`SELECT count(*)::int AS n FROM memory_chunks WHERE document_id = $1`, [first.document.id])).toEqual([{ n: 1 }]);
  });

  it('Given a stored source, When its changed content is ingested, Then its chunks are replaced under the same id', async () => {
    const input = { title: 'Deploys', content: 'v1', source: 'docs/deploys.md', mimeType: 'text/markdown' };
    const first = await kb.ingest(input, E, [chunk(0, 'Argo CD deploys', vec(0, 1, 0)), chunk(1, 'rollbacks revert', vec(0, 1, 1))]);
    const second = await kb.ingest({ ...input, content: 'v2' }, E, [chunk(0, 'Flux deploys now', vec(0, 0, 1))]);
    expect(second).toMatchObject({ outcome: 'replaced', replacedChunks: 2, document: { id: first.document.id, chunks: 1 } });
    const texts = await ds.query(`SELECT text FROM memory_chunks WHERE document_id = $1`, [first.document.id]);
    expect(texts).toEqual([{ text: 'Flux deploys now' }]);
  });

  it('Given a chunk the database refuses, When ingested, Then nothing of the document is stored', async () => {
    const before = await kb.list();
    const bad = [chunk(0, 'fine', vec(1, 1, 0)), chunk(1, 'bad\u0000text', vec(1, 0, 1))];
    await expect(kb.ingest({ title: 'Broken', content: 'broken doc', source: 'docs/broken.md', mimeType: 'text/plain' }, E, bad)).rejects.toThrow();
    const after = await kb.list();
    expect(after.total).toBe(before.total);
    expect(await ds.query(`SELECT count(*)::int AS n FROM memory_chunks WHERE text = 'fine'`)).toEqual([{ n: 0 }]);
  });

  it('Given chunks, When searched by vector and by keyword, Then the nearest and the matching chunk come first', async () => {
    await kb.ingest({ title: 'Errors', content: 'ERR_CACHE_STALE_42 doc', source: null, mimeType: 'text/plain' }, E, [chunk(0, 'ERR_CACHE_STALE_42 means the catalogue cache is stale', vec(0.2, 0.2, 0.9))]);
    const near = await kb.vectorSearch(E, vec(0, 0, 1), 2);
    expect(near[0].text).toBe('Flux deploys now');
    expect(near[0].similarity).toBeCloseTo(1, 5);
    expect((await kb.vectorSearch(E, vec(0, 0, 1), 2, 40)).map((h) => h.id)).toEqual(near.map((h) => h.id));
    await kb.refreshKeywordStats();
    const stats = await kb.termStats(['catalogue', 'cache']);
    const kw = await kb.keywordSearch(planKeywordQuery(stats.terms, stats.chunks), E, vec(0, 0, 1), 5);
    expect(kw.map((h) => h.text)).toEqual(['ERR_CACHE_STALE_42 means the catalogue cache is stale']);
    expect(kw[0].keywordRank).toBeGreaterThan(0);
    expect(await kb.exactSearch(E, vec(0, 0, 1), 1)).toEqual([near[0].id]);
  });

  it('Given lexeme statistics, When a query has a frequent and a rare word, Then each gets its chunk count and the chunk with the rare word ranks first', async () => {
    const texts = ['the rollout of service alpha', 'the rollout of service beta', 'the rollout of service gamma', 'service delta uses the zebra protocol'];
    await kb.ingest({ title: 'Services', content: texts.join('\n'), source: 'docs/services.md', mimeType: 'text/plain' }, E, texts.map((t, i) => chunk(i, t, vec(1, i, 0))));
    const before = await kb.termStats(['zebra']);
    expect(before.terms).toEqual([{ query: "'zebra'", df: 0 }]);
    await kb.refreshKeywordStats();
    const stats = await kb.termStats(['service', 'the', 'zebras', 'fix/PAY-123']);
    expect(stats.chunks).toBeGreaterThanOrEqual(4);
    expect(stats.terms.map((t) => t.query)).toEqual(["'servic'", "'zebra'", "'fix/pay-123'"]);
    expect(stats.terms.map((t) => t.df)).toEqual([4, 1, 0]);
    const plan = planKeywordQuery(stats.terms, stats.chunks, 1);
    expect(plan.candidates).not.toContain('servic');
    const hits = await kb.keywordSearch(plan, E, vec(1, 0, 0), 5);
    expect(hits[0].text).toBe('service delta uses the zebra protocol');
    const wide = await kb.keywordSearch(planKeywordQuery(stats.terms, stats.chunks), E, vec(1, 0, 0), 5);
    expect(wide.map((h) => h.text)).toEqual(['service delta uses the zebra protocol', ...wide.slice(1).map((h) => h.text)]);
    expect(wide).toHaveLength(4);
  });

  it('Given a document, When deleted, Then its chunks go with it and a second delete finds nothing', async () => {
    const { documents } = await kb.list();
    const target = documents.find((d) => d.title === 'Errors')!;
    expect(await kb.delete(target.id)).toBe(true);
    expect(await kb.delete(target.id)).toBe(false);
    expect(await ds.query(`SELECT count(*)::int AS n FROM memory_chunks WHERE document_id = $1`, [target.id])).toEqual([{ n: 0 }]);
  });

  it('Given preferences on one subject, When a newer one is added, Then the older is superseded and only the newer is active', async () => {
    const prefs = new PreferenceStore(ds);
    const old = await prefs.add({ id: '01936f3e-0000-7000-8000-000000000001', subject: 'mysql', statement: 'Never use MySQL', polarity: 'negative', confidence: 0.9, origin: 'api', evidence: null, createdAt: '2026-01-01T00:00:00.000Z' }, []);
    const fresh = await prefs.add({ id: '01936f3e-0000-7000-8000-000000000002', subject: 'mysql', statement: 'MySQL is fine for reports', polarity: 'positive', confidence: 0.8, origin: 'api', evidence: null, createdAt: '2026-02-01T00:00:00.000Z' }, [old.id]);
    expect((await prefs.list()).map((p) => p.id)).toEqual([fresh.id]);
    expect((await prefs.list(true)).find((p) => p.id === old.id)?.supersededBy).toBe(fresh.id);
  });

  it('Given a status, When replaced, Then only the new items remain in order', async () => {
    const status = new StatusStore(ds);
    await status.replace([{ kind: 'note', text: 'old' }]);
    await status.replace([{ kind: 'priority', text: 'ship v2' }, { kind: 'project', text: 'Apollo' }]);
    expect((await status.list()).map((s) => [s.kind, s.text])).toEqual([['priority', 'ship v2'], ['project', 'Apollo']]);
  });
});
