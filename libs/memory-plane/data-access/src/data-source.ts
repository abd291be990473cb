import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ensureDatabase } from '@cp/shared/event-store';
import { CreateMemoryPlane1764700000000 } from './migrations/1764700000000-create-memory-plane';

/** The memory plane's migrations, recorded in their own table so the auditor's and ours never mix. */
export const MEMORY_MIGRATIONS = [CreateMemoryPlane1764700000000];
const MIGRATIONS_TABLE = 'memory_schema_migrations';
// The same lock as the event store's migrations: both create the vector extension, and two CREATE EXTENSION at once can collide.
const MIGRATION_LOCK = 7243001;

/** `efSearch`: how many HNSW candidates a vector query looks at (recall against speed), set on every connection. */
export function createMemoryDataSource(url: string, poolSize = 10, efSearch = 100): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: MEMORY_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    logging: false,
    extra: { max: poolSize, options: `-c hnsw.ef_search=${Math.floor(efSearch)}` },
  });
}

/** Creates the database if missing and applies the memory plane's pending migrations, serialised by an advisory lock. */
export async function migrateMemory(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url });
  await lock.connect();
  const ds = createMemoryDataSource(url, 2);
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await ds.initialize();
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await lock.end();
  }
}
