import type { DataSource } from 'typeorm';
import { runMigrations } from './migration-runner';
import { CreateEventStore1732500000000 } from './migrations/1732500000000-create-event-store';
import { ConsumerCheckpoints1764640000000 } from './migrations/1764640000000-consumer-checkpoints';
import { ReadModelSnapshots1764700000000 } from './migrations/1764700000000-read-model-snapshots';

/** Every migration of the control plane's database, in order. */
export const MIGRATIONS = [CreateEventStore1732500000000, ConsumerCheckpoints1764640000000, ReadModelSnapshots1764700000000];

/**
 * A typeorm data source (not yet initialised). typeorm is loaded here, on first use, not with this
 * library: a service that only migrates and queries through `pg` (the slo-collector) never loads its
 * 350 modules (about 13 MiB resident).
 */
export async function createDataSource(url: string, poolSize = 10): Promise<DataSource> {
  const { DataSource } = await import('typeorm');
  return new DataSource({ type: 'postgres', url, synchronize: false, logging: false, extra: { max: poolSize } });
}

/** Creates the database if missing and applies pending migrations (each in its own transaction). */
export async function migrate(url: string): Promise<string[]> {
  return runMigrations(url, MIGRATIONS, 'schema_migrations');
}
