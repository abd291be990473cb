import { WordVectors, type Embedder } from '@cp/memory-plane/embedding';
import { DEFAULT_HNSW, type KbStore } from '@cp/memory-plane/data-access';
import { searchKb } from '@cp/memory-plane/feature';
import type { DataSource } from 'typeorm';
import { syntheticCorpus } from './synthetic-corpus';

const CHUNKS_PER_DOC = 100;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * At `n` synthetic chunks: the ingest rate (documents of 100 chunks, one transaction each,
 * embedding included), query latency (hybrid KB layer, keyword half, vector half) and the recall@10
 * of the HNSW index against an exact scan. By default a bulk load: the embedder's HNSW index is
 * dropped before the rows go in and built once after them, with the service's parameters
 * (`VectorIndexes.ensure`, the same call the memory plane makes); `incrementalIndex` keeps the index
 * during the ingest instead, as a KB that grows by single ingests does.
 */
export async function measureScale(ds: DataSource, kb: KbStore, embedder: Embedder, n: number, queries: number, incrementalIndex = false, efSweep: readonly number[] = []) {
  const vectors = WordVectors.load();
  const { chunk, query } = syntheticCorpus(vectors);
  if (!incrementalIndex) await kb.indexes.drop(embedder.id);
  const started = performance.now();
  let lastReport = started;
  for (let d = 0; d * CHUNKS_PER_DOC < n; d++) {
    const texts = Array.from({ length: Math.min(CHUNKS_PER_DOC, n - d * CHUNKS_PER_DOC) }, (_, i) => chunk(d * CHUNKS_PER_DOC + i));
    const vecs = await embedder.embed(texts);
    await kb.ingest({ title: `synthetic ${d}`, content: texts.join('\n\n'), source: `bench/${d}`, mimeType: 'text/plain' }, embedder.id, texts.map((text, i) => ({ index: i, heading: null, text, embedding: vecs[i] })));
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      process.stdout.write(`  ingested ${(d + 1) * CHUNKS_PER_DOC} chunks (${Math.round(((d + 1) * CHUNKS_PER_DOC) / ((lastReport - started) / 1000))}/s)\n`);
    }
  }
  const ingestS = (performance.now() - started) / 1000;
  const indexStarted = performance.now();
  await kb.indexes.ensure(embedder.id, embedder.dimension, DEFAULT_HNSW, { maintenanceWorkMem: '1GB' });
  const indexS = (performance.now() - indexStarted) / 1000;
  const indexMB = +((await kb.indexes.sizes(embedder.id)).reduce((sum, i) => sum + i.bytes, 0) / 2 ** 20).toFixed(1);
  process.stdout.write(`  HNSW index (${DEFAULT_HNSW.vectorType}, m ${DEFAULT_HNSW.m}, ef_construction ${DEFAULT_HNSW.efConstruction}, ${indexMB} MB) ready after ${indexS.toFixed(1)} s\n`);
  // What the memory plane's background refresh and autovacuum do after ingests.
  await kb.refreshKeywordStats();
  await ds.query('ANALYZE memory_chunks');
  await ds.query('ANALYZE memory_documents');
  const qs = Array.from({ length: queries }, query);
  // The planner's own choice at this size (no setting forced): the vector half must search the index, not scan and sort.
  const plan = await kb.explainVectorSearch(embedder.id, (await embedder.embed([qs[0]]))[0], 40);
  const vectorPlanUsesIndex = /Index Scan using memory_chunks_hnsw_/.test(plan) && !/Sort/.test(plan);
  if (!vectorPlanUsesIndex) process.stdout.write(`  the vector query does not use the HNSW index:\n${plan}\n`);
  // Each half alone is timed as the KB layer runs it (40 candidates) on queries of its own: timed
  // right after the hybrid query with the same words, it would find that query's pages cached.
  const keywordQs = Array.from({ length: queries }, query);
  const vectorQs = Array.from({ length: queries }, query);
  // Warm-up: the index's pages into the buffer cache, as on a running service that answers queries all day.
  for (const q of Array.from({ length: 100 }, query)) await searchKb(kb, embedder, q, (await embedder.embed([q]))[0], 10);
  // The three modes in turn, query after query: each sees the same moments of the machine and the same
  // state of the buffer cache (timed one after the other, the first would pay for warming it).
  const hybrid: number[] = [];
  const keywordOnly: number[] = [];
  const vectorOnly: number[] = [];
  const time = async (into: number[], q: string, mode: 'hybrid' | 'keyword' | 'vector') => {
    const t0 = performance.now();
    await searchKb(kb, embedder, q, (await embedder.embed([q]))[0], 10, mode);
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < qs.length; i++) {
    await time(hybrid, qs[i], 'hybrid');
    await time(keywordOnly, keywordQs[i], 'keyword');
    await time(vectorOnly, vectorQs[i], 'vector');
  }
  for (const ms of [hybrid, keywordOnly, vectorOnly]) ms.sort((a, b) => a - b);
  const recallQueries = qs.slice(0, 100);
  const recallVectors = await embedder.embed(recallQueries);
  const exact: string[][] = [];
  for (const v of recallVectors) exact.push(await kb.exactSearch(embedder.id, v, 10));
  const recallAt = async (efSearch?: number) => {
    let found = 0;
    for (const [i, v] of recallVectors.entries()) {
      const approx = new Set((await kb.vectorSearch(embedder.id, v, 10, efSearch)).map((h) => h.id));
      found += exact[i].filter((id) => approx.has(id)).length;
    }
    return +(found / (recallQueries.length * 10)).toFixed(3);
  };
  const hnswRecallAt10 = await recallAt();
  // The same index and reference at other ef_search values (recall against speed, per query).
  const recallByEfSearch: Record<number, number> = {};
  for (const ef of efSweep) recallByEfSearch[ef] = await recallAt(ef);
  const out = {
    chunks: n,
    dimension: embedder.dimension,
    indexBuild: incrementalIndex ? 'incremental' : 'bulk',
    ingestSeconds: +ingestS.toFixed(1),
    ingestChunksPerSecond: Math.round(n / ingestS),
    indexSeconds: +indexS.toFixed(1),
    indexMB,
    vectorPlanUsesIndex,
    hnsw: { ...DEFAULT_HNSW, efSearch: Number((await ds.query('SHOW hnsw.ef_search'))[0]['hnsw.ef_search']) },
    hybridMs: { p50: +percentile(hybrid, 50).toFixed(2), p95: +percentile(hybrid, 95).toFixed(2) },
    keywordMs: { p50: +percentile(keywordOnly, 50).toFixed(2), p95: +percentile(keywordOnly, 95).toFixed(2) },
    vectorMs: { p50: +percentile(vectorOnly, 50).toFixed(2), p95: +percentile(vectorOnly, 95).toFixed(2) },
    hnswRecallAt10,
    recallByEfSearch,
  };
  console.log(`\nScale: ${n} chunks of ${embedder.id}, ${out.indexBuild} HNSW build over ${out.hnsw.vectorType} (${indexMB} MB), m ${out.hnsw.m}, ef_construction ${out.hnsw.efConstruction}, ef_search ${out.hnsw.efSearch}; vector query uses the index: ${vectorPlanUsesIndex}`);
  if (efSweep.length) console.log(`HNSW recall@10 by ef_search: ${JSON.stringify(recallByEfSearch)}`);
  console.table([{ 'ingest chunks/s': out.ingestChunksPerSecond, 'ingest s': out.ingestSeconds, 'index s': out.indexSeconds, 'hybrid p50 ms': out.hybridMs.p50, 'hybrid p95 ms': out.hybridMs.p95, 'keyword p50 ms': out.keywordMs.p50, 'keyword p95 ms': out.keywordMs.p95, 'vector p50 ms': out.vectorMs.p50, 'vector p95 ms': out.vectorMs.p95, 'HNSW recall@10 vs exact': out.hnswRecallAt10, 'target p95 <= 20 ms': out.hybridMs.p95 <= 20, 'target recall >= 0.95': out.hnswRecallAt10 >= 0.95 }]);
  return out;
}
