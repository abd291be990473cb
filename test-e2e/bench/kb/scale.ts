import { WordVectors, type Embedder } from '@cp/memory-plane/embedding';
import type { KbStore } from '@cp/memory-plane/data-access';
import { searchKb } from '@cp/memory-plane/feature';
import type { DataSource } from 'typeorm';

/** A small deterministic PRNG (mulberry32), so every run ingests the same corpus. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOPICS = 2000;
const CHUNKS_PER_DOC = 100;

/**
 * Synthetic corpus: 2,000 topics of 40 words each (English words of frequency rank 300-40,000);
 * a chunk is 60 words, 70 % from its topic and 30 % common words; a query is 8 words of a topic.
 */
function corpus(vectors: WordVectors) {
  const rnd = prng(42);
  const word = (lo: number, hi: number) => vectors.wordAt(lo + Math.floor(rnd() * (hi - lo))) ?? 'word';
  const topics = Array.from({ length: TOPICS }, () => Array.from({ length: 40 }, () => word(300, 40_000)));
  const chunk = (i: number) => {
    const t = topics[i % TOPICS];
    return Array.from({ length: 60 }, () => (rnd() < 0.7 ? t[Math.floor(rnd() * t.length)] : word(0, 2000))).join(' ');
  };
  const query = () => {
    const t = topics[Math.floor(rnd() * TOPICS)];
    return Array.from({ length: 8 }, () => t[Math.floor(rnd() * t.length)]).join(' ');
  };
  return { chunk, query };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Ingest rate at `n` chunks (documents of 100 chunks, one transaction each, embedding included), query latency, HNSW recall@10 against an exact scan. */
export async function measureScale(ds: DataSource, kb: KbStore, embedder: Embedder, n: number, queries: number) {
  const vectors = WordVectors.load();
  const { chunk, query } = corpus(vectors);
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
  await ds.query('ANALYZE memory_chunks');
  const qs = Array.from({ length: queries }, query);
  // Warm-up: the index's pages into the buffer cache, as on a running service.
  for (const q of qs.slice(0, 20)) await searchKb(kb, embedder, q, (await embedder.embed([q]))[0], 10);
  const hybrid: number[] = [];
  const vectorOnly: number[] = [];
  for (const q of qs) {
    const t0 = performance.now();
    const [v] = await embedder.embed([q]);
    await searchKb(kb, embedder, q, v, 10);
    hybrid.push(performance.now() - t0);
    const t1 = performance.now();
    await kb.vectorSearch(embedder.id, v, 10);
    vectorOnly.push(performance.now() - t1);
  }
  let found = 0;
  const recallQueries = qs.slice(0, 100);
  for (const q of recallQueries) {
    const [v] = await embedder.embed([q]);
    const approx = new Set((await kb.vectorSearch(embedder.id, v, 10)).map((h) => h.id));
    const exact = await kb.exactSearch(embedder.id, v, 10);
    found += exact.filter((id) => approx.has(id)).length;
  }
  hybrid.sort((a, b) => a - b);
  vectorOnly.sort((a, b) => a - b);
  const out = {
    chunks: n,
    dimension: embedder.dimension,
    ingestSeconds: +ingestS.toFixed(1),
    ingestChunksPerSecond: Math.round(n / ingestS),
    hybridMs: { p50: +percentile(hybrid, 50).toFixed(2), p95: +percentile(hybrid, 95).toFixed(2) },
    vectorMs: { p50: +percentile(vectorOnly, 50).toFixed(2), p95: +percentile(vectorOnly, 95).toFixed(2) },
    hnswRecallAt10: +(found / (recallQueries.length * 10)).toFixed(3),
  };
  console.log(`\nScale: ${n} chunks of ${embedder.id}`);
  console.table([{ 'ingest chunks/s': out.ingestChunksPerSecond, 'ingest s': out.ingestSeconds, 'hybrid p50 ms': out.hybridMs.p50, 'hybrid p95 ms': out.hybridMs.p95, 'vector p50 ms': out.vectorMs.p50, 'vector p95 ms': out.vectorMs.p95, 'HNSW recall@10 vs exact': out.hnswRecallAt10, 'target p95 <= 20 ms': out.hybridMs.p95 <= 20, 'target recall >= 0.95': out.hnswRecallAt10 >= 0.95 }]);
  return out;
}
