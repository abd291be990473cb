import type { Migration, MigrationQueries } from '@cp/shared/event-store';

/**
 * The memory plane's own tables. Chunk vectors are stored with the embedder and dimension that
 * made them (`embedding vector` has no fixed dimension, so two embedders can coexist while one
 * re-embeds); each embedder gets its own partial HNSW index (cosine) over
 * `embedding::vector(<dim>)`, created by the store when that embedder is first used
 * (`VectorIndexes.ensure`). Full-text search uses a stored `tsvector` column under a GIN index.
 */
export class CreateMemoryPlane1764700000000 implements Migration {
  name = 'CreateMemoryPlane1764700000000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS vector`);
    await q.query(`
      CREATE TABLE memory_documents (
        id           uuid PRIMARY KEY,
        title        text NOT NULL,
        source       text,
        mime_type    text NOT NULL,
        content_hash char(64) NOT NULL,
        bytes        integer NOT NULL,
        chunk_count  integer NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX memory_documents_source_idx ON memory_documents (source) WHERE source IS NOT NULL`);
    await q.query(`CREATE INDEX memory_documents_hash_idx ON memory_documents (content_hash)`);
    await q.query(`
      CREATE TABLE memory_chunks (
        id          uuid PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES memory_documents (id) ON DELETE CASCADE,
        idx         integer NOT NULL,
        heading     text,
        text        text NOT NULL,
        text_hash   char(64) NOT NULL,
        embedder    text NOT NULL,
        dim         integer NOT NULL,
        embedding   vector NOT NULL,
        tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
        created_at  timestamptz NOT NULL DEFAULT now(),
        CHECK (vector_dims(embedding) = dim)
      )`);
    await q.query(`CREATE INDEX memory_chunks_document_idx ON memory_chunks (document_id, idx)`);
    await q.query(`CREATE INDEX memory_chunks_embedder_idx ON memory_chunks (embedder)`);
    await q.query(`CREATE INDEX memory_chunks_tsv_idx ON memory_chunks USING gin (tsv)`);
    await q.query(`
      CREATE TABLE memory_preferences (
        id            uuid PRIMARY KEY,
        subject       text NOT NULL,
        statement     text NOT NULL,
        polarity      text NOT NULL CHECK (polarity IN ('positive', 'negative')),
        confidence    real NOT NULL,
        origin        text NOT NULL CHECK (origin IN ('learned', 'api')),
        evidence      text,
        superseded_by uuid,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX memory_preferences_subject_idx ON memory_preferences (subject) WHERE superseded_by IS NULL`);
    await q.query(`
      CREATE TABLE memory_status_items (
        id         uuid PRIMARY KEY,
        kind       text NOT NULL CHECK (kind IN ('priority', 'project', 'note')),
        text       text NOT NULL,
        position   integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE memory_items (
        id           uuid PRIMARY KEY,
        content_hash char(64) NOT NULL UNIQUE,
        filename     text,
        media_type   text NOT NULL,
        bytes        integer NOT NULL,
        description  text,
        described_by text,
        evidence     text,
        seen_count   integer NOT NULL DEFAULT 1,
        first_seen   timestamptz NOT NULL DEFAULT now(),
        last_seen    timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE memory_items, memory_status_items, memory_preferences, memory_chunks, memory_documents`);
  }
}
