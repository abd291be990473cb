import type { Migration, MigrationQueries } from '../migration-runner';

/**
 * Read models kept outside the event store (the SLO collector's projection): the state as JSON and
 * the event-stream sequence it includes, written together in one statement, so a restart resumes
 * exactly where the saved state ends.
 */
export class ReadModelSnapshots1764700000000 implements Migration {
  name = 'ReadModelSnapshots1764700000000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`CREATE TABLE read_model_snapshots (name text PRIMARY KEY, stream_seq bigint NOT NULL, state jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE read_model_snapshots`);
  }
}
