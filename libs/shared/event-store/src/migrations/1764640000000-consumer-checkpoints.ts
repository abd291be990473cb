import type { Migration, MigrationQueries } from '../migration-runner';

/**
 * How far a consumer of the event stream has settled it: every message up to `stream_seq` is stored
 * or parked. Written in the same transaction as the events, so a crash never leaves the two apart.
 */
export class ConsumerCheckpoints1764640000000 implements Migration {
  name = 'ConsumerCheckpoints1764640000000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`CREATE TABLE consumer_checkpoints (name text PRIMARY KEY, stream_seq bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE consumer_checkpoints`);
  }
}
