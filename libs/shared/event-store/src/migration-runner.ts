import { Client } from 'pg';

/** What a migration runs its statements through: one connection, inside the migration's transaction. */
export interface MigrationQueries {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** One schema change; `name` ends in the 13-digit timestamp that orders it (`CreateEventStore1732500000000`). */
export interface Migration {
  readonly name: string;
  up(q: MigrationQueries): Promise<void>;
  down(q: MigrationQueries): Promise<void>;
}

export type MigrationClass = new () => Migration;

/** Every service that migrates takes this session lock first (the auditor, the collector, the memory plane). */
const MIGRATION_LOCK = 7243001;

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

function timestampOf(name: string): number {
  const m = /(\d{13})$/.exec(name);
  if (!m) throw new Error(`migration ${name} does not end in a 13-digit timestamp`);
  return Number(m[1]);
}

/**
 * Creates the database if missing and applies the migrations not yet recorded in `table`, in order,
 * each with its record in one transaction; returns the names applied. Plain `pg`, no ORM: the
 * slo-collector migrates without loading typeorm (docs/performance.md, "The slo-collector's peak
 * memory"). The table has typeorm's migrations-table layout (id, timestamp, name), so databases
 * migrated by typeorm's runner before carry on. Two services migrating a fresh database at once are
 * serialised by a session lock (both may create the vector extension).
 */
export async function runMigrations(url: string, migrations: readonly MigrationClass[], table: string): Promise<string[]> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a migrations table name: ${table}`);
  await ensureDatabase(url);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (id serial PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL)`);
    const recorded = await client.query<{ name: string }>(`SELECT name FROM ${table}`);
    const done = new Set(recorded.rows.map((r) => r.name));
    const applied: string[] = [];
    for (const Step of migrations) {
      const step = new Step();
      if (done.has(step.name)) continue;
      await client.query('BEGIN');
      try {
        await step.up(client);
        await client.query(`INSERT INTO ${table} ("timestamp", name) VALUES ($1, $2)`, [timestampOf(step.name), step.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      applied.push(step.name);
    }
    return applied;
  } finally {
    // Ending the session releases the lock.
    await client.end();
  }
}
