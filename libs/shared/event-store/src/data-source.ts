import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CreateEventStore1732500000000 } from './migrations/1732500000000-create-event-store';
import { ConsumerCheckpoints1764640000000 } from './migrations/1764640000000-consumer-checkpoints';
import { ReadModelSnapshots1764700000000 } from './migrations/1764700000000-read-model-snapshots';

/** Every migration of the control plane's database, in order. */
export const MIGRATIONS = [CreateEventStore1732500000000, ConsumerCheckpoints1764640000000, ReadModelSnapshots1764700000000];

export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({ type: 'postgres', url, migrations: MIGRATIONS, migrationsTableName: 'schema_migrations', synchronize: false, logging: false, extra: { max: poolSize } });
}

/** Creates the database named in `url` when it does not exist, connecting to the server's `postgres` database. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error('CP_DATABASE_URL must name a database of letters, digits, _ and -');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((err: { code?: string }) => {
        // Created concurrently by another process: 42P04, or 23505 when both inserted into pg_database at once.
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/** Creates the database if missing and applies pending migrations (each in its own transaction). */
export async function migrate(url: string): Promise<string[]> {
  return migrateDataSource(url, createDataSource(url, 2));
}

/**
 * Creates the database if missing and runs the pending migrations of `ds` (not yet initialised;
 * destroyed afterwards). Every service that migrates takes the same session lock, so two services
 * migrating a fresh database at once are serialised (both may create the vector extension).
 */
export async function migrateDataSource(url: string, ds: DataSource): Promise<string[]> {
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(7243001)');
    await ds.initialize();
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await lock.end();
  }
}
