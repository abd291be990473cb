import type { Migration, MigrationQueries } from '../migration-runner';

/** The append-only event store: one total order (`position`), a unique id, and a SHA-256 hash chain. */
export class CreateEventStore1732500000000 implements Migration {
  name = 'CreateEventStore1732500000000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS vector`);
    await q.query(`
      CREATE TABLE events (
        position       bigint PRIMARY KEY,
        id             uuid NOT NULL UNIQUE,
        stream_id      text NOT NULL,
        type           text NOT NULL,
        version        integer NOT NULL,
        occurred_at    timestamptz NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT now(),
        correlation_id text NOT NULL,
        causation_id   text,
        payload        jsonb NOT NULL,
        metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash      char(64) NOT NULL,
        hash           char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX events_stream_idx ON events (stream_id, position)`);
    await q.query(`CREATE INDEX events_type_idx ON events (type, position)`);
    await q.query(`CREATE INDEX events_correlation_idx ON events (correlation_id)`);
    await q.query(`
      CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_refuse_change()`);
    await q.query(`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE events`);
    await q.query(`DROP FUNCTION events_refuse_change()`);
  }
}
