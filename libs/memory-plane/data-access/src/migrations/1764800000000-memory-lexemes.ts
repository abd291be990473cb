import type { Migration, MigrationQueries } from '@cp/shared/event-store';

/**
 * Lexeme statistics of the KB for keyword ranking: how many chunks contain each lexeme
 * (`ts_stat` over the stored tsvectors), and one row with the empty lexeme (which full-text
 * search never produces) holding the number of chunks. A materialized view, refreshed
 * concurrently in the background after ingests (`KbStore.refreshKeywordStats`), so queries read a
 * consistent snapshot and never wait for a refresh.
 */
export class MemoryLexemes1764800000000 implements Migration {
  name = 'MemoryLexemes1764800000000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE MATERIALIZED VIEW memory_lexemes AS
        SELECT word AS lexeme, ndoc FROM ts_stat('SELECT tsv FROM memory_chunks')
        UNION ALL
        SELECT '' AS lexeme, count(*)::int AS ndoc FROM memory_chunks`);
    await q.query(`CREATE UNIQUE INDEX memory_lexemes_lexeme_idx ON memory_lexemes (lexeme)`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP MATERIALIZED VIEW memory_lexemes`);
  }
}
