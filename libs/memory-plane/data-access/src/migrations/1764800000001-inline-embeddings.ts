import type { Migration, MigrationQueries } from '@cp/shared/event-store';

/**
 * Keeps chunk vectors inside their rows. pgvector stores `vector` out of line (TOAST) by default,
 * so each result row of a KB query fetched its vector from the TOAST table to compute its
 * similarity: 40 such lookups per half of a query, several milliseconds at 100,000 chunks. Rows
 * of up to 8 KB now stay whole (a chunk of 1,200 characters with its tsvector and a vector of up
 * to about 1,000 dimensions; larger rows are compressed, then moved out of line, as before). Rows
 * written before keep their storage until rewritten; the HNSW index keeps its own copy of the
 * vectors either way.
 */
export class InlineEmbeddings1764800000001 implements Migration {
  name = 'InlineEmbeddings1764800000001';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`ALTER TABLE memory_chunks ALTER COLUMN embedding SET STORAGE MAIN`);
    await q.query(`ALTER TABLE memory_chunks SET (toast_tuple_target = 8160)`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`ALTER TABLE memory_chunks RESET (toast_tuple_target)`);
    await q.query(`ALTER TABLE memory_chunks ALTER COLUMN embedding SET STORAGE EXTERNAL`);
  }
}
