import { Command } from 'commander';
import { createMemoryDataSource, DEFAULT_EF_SEARCH, KbStore, migrateMemory } from '@cp/memory-plane/data-access';
import { defaultStaticEmbedder } from '@cp/memory-plane/embedding';
import { dropIsolation, newIsolation } from '@cp/shared/testing';
import { evaluateLabelledSet } from './kb/labelled-eval';
import { measureScale } from './kb/scale';
import { positiveInt } from './options';

/**
 * `npm run bench:kb`: the knowledge base on the real Postgres with pgvector, in a database of its
 * own (dropped afterwards). Part 1: the labelled evaluation set (44 documents, 66 queries) through
 * the same search code the memory plane serves, vector-only / keyword-only / hybrid. Part 2: at
 * `--chunks` (100,000) synthetic chunks, the ingest rate and HNSW build time, query p50/p95
 * (hybrid KB layer, keyword half, vector half), and recall@10 of the HNSW index against an exact scan. Figures: docs/performance.md.
 */
async function main(): Promise<void> {
  const opts = new Command('bench:kb')
    .option('--chunks <n>', 'synthetic chunks for the scale part', positiveInt, 100_000)
    .option('--queries <n>', 'timed queries', positiveInt, 300)
    .option('--skip-scale', 'only the labelled evaluation set', false)
    .option('--ef-search <n>', 'hnsw.ef_search (default: the memory plane\'s)', positiveInt, DEFAULT_EF_SEARCH)
    .option('--ef-sweep <list>', 'also measure HNSW recall at these ef_search values, e.g. 100,200,400', (v: string) => v.split(',').map((x) => positiveInt(x.trim())), [] as number[])
    .option('--incremental-index', 'keep the HNSW index during the scale ingest (default: build it after the rows)', false)
    .option('--json <file>', 'also write the results as JSON')
    .parse(process.argv)
    .opts<{ chunks: number; queries: number; skipScale: boolean; efSearch: number; incrementalIndex: boolean; efSweep: number[]; json?: string }>();
  const iso = newIsolation('benchkb');
  await migrateMemory(iso.databaseUrl);
  const ds = await createMemoryDataSource(iso.databaseUrl, 4, opts.efSearch).initialize();
  const out: Record<string, unknown> = {};
  try {
    const embedder = defaultStaticEmbedder();
    const kb = new KbStore(ds);
    await kb.indexes.ensure(embedder.id, embedder.dimension);
    out.labelled = await evaluateLabelledSet(kb, embedder);
    if (!opts.skipScale) out.scale = await measureScale(ds, kb, embedder, opts.chunks, opts.queries, opts.incrementalIndex, opts.efSweep);
  } finally {
    await ds.destroy();
    await dropIsolation(iso);
  }
  if (opts.json) (await import('node:fs')).writeFileSync(opts.json, JSON.stringify(out, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
