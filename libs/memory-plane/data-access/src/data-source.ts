import { DataSource } from 'typeorm';
import { runMigrations } from '@cp/shared/event-store';
import { CreateMemoryPlane1764700000000 } from './migrations/1764700000000-create-memory-plane';
import { MemoryLexemes1764800000000 } from './migrations/1764800000000-memory-lexemes';
import { InlineEmbeddings1764800000001 } from './migrations/1764800000001-inline-embeddings';
import { DEFAULT_EF_SEARCH } from './vector-index';

/** The memory plane's migrations, recorded in their own table so the auditor's and ours never mix. */
export const MEMORY_MIGRATIONS = [CreateMemoryPlane1764700000000, MemoryLexemes1764800000000, InlineEmbeddings1764800000001];
const MIGRATIONS_TABLE = 'memory_schema_migrations';

/**
 * `efSearch`: how many HNSW candidates a vector query looks at (recall against speed), set on every
 * connection. Parallel query is off for these sessions: the KB's queries are short LIMITed lookups,
 * and parallel workers started for one (the keyword half's bitmap scan) take the cores the other
 * half of the same hybrid query runs on (docs/performance.md, bench:kb).
 */
export function createMemoryDataSource(url: string, poolSize = 10, efSearch = DEFAULT_EF_SEARCH): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    logging: false,
    extra: { max: poolSize, options: `-c hnsw.ef_search=${Math.floor(efSearch)} -c max_parallel_workers_per_gather=0` },
  });
}

/** Creates the database if missing and applies the memory plane's pending migrations (see `runMigrations`). */
export async function migrateMemory(url: string): Promise<string[]> {
  return runMigrations(url, MEMORY_MIGRATIONS, MIGRATIONS_TABLE);
}
