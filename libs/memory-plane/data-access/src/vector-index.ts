import type { DataSource } from 'typeorm';
import { sha256, sqlEmbedder, sqlInt } from './sql-literals';

/** HNSW build parameters: neighbours per node (`m`) and the candidate list while building (`ef_construction`). */
export interface HnswParams {
  m: number;
  efConstruction: number;
}

/**
 * The KB's HNSW parameters, and the `hnsw.ef_search` queries use with them: measured by
 * `npm run bench:kb` (docs/performance.md) as the cheapest setting that keeps recall@10 against an
 * exact scan at 0.95 or more at 100,000 chunks.
 */
export const DEFAULT_HNSW: HnswParams = { m: 24, efConstruction: 128 };
export const DEFAULT_EF_SEARCH = 300;

function vectorIndexPrefix(embedder: string): string {
  return `memory_chunks_hnsw_${sha256(embedder).slice(0, 12)}`;
}

/** The index's name says its embedder and parameters, so a change of parameters builds a new one. */
export function vectorIndexName(embedder: string, params: HnswParams): string {
  return `${vectorIndexPrefix(embedder)}_m${sqlInt(params.m)}_ef${sqlInt(params.efConstruction)}`;
}

/** The KB's partial HNSW indexes (cosine), one per embedder, named by their parameters. */
export class VectorIndexes {
  constructor(private readonly ds: DataSource) {}

  /**
   * The partial HNSW index (cosine) for one embedder's vectors, built with `params`; idempotent.
   * An index of the embedder built with other parameters is dropped once this one is ready (until
   * then vector queries keep using it). `concurrently` builds without blocking ingests (slower; for
   * replacing an index of a KB in service); `maintenanceWorkMem` lets a large build keep its graph
   * in memory (pgvector builds far slower once it does not fit).
   */
  async ensure(embedder: string, dim: number, params: HnswParams = DEFAULT_HNSW, opts: { concurrently?: boolean; maintenanceWorkMem?: string } = {}): Promise<void> {
    const name = vectorIndexName(embedder, params);
    const existing = await this.list(embedder);
    const wanted = existing.find((i) => i.name === name);
    if (wanted && !wanted.valid) await this.ds.query(`DROP INDEX ${name}`); // a concurrent build that failed
    if (!wanted?.valid) {
      const qr = this.ds.createQueryRunner();
      try {
        if (opts.maintenanceWorkMem) await qr.query(`SELECT set_config('maintenance_work_mem', $1, false)`, [opts.maintenanceWorkMem]);
        await qr.query(
          `CREATE INDEX ${opts.concurrently ? 'CONCURRENTLY ' : ''}IF NOT EXISTS ${name} ON memory_chunks USING hnsw ((embedding::vector(${sqlInt(dim)})) vector_cosine_ops) WITH (m = ${sqlInt(params.m)}, ef_construction = ${sqlInt(params.efConstruction)}) WHERE embedder = ${sqlEmbedder(embedder)}`,
        );
        if (opts.maintenanceWorkMem) await qr.query(`RESET maintenance_work_mem`);
      } finally {
        await qr.release();
      }
    }
    // Another replica's build of the same index may still be running (IF NOT EXISTS skipped it):
    // the old index goes only once the new one is valid.
    if ((await this.state(embedder, params)) !== 'current') return;
    for (const other of existing) if (other.name !== name) await this.ds.query(`DROP INDEX IF EXISTS ${other.name}`);
  }

  /** Whether the embedder's HNSW index exists with `params` (`current`), only with other parameters (`outdated`), or not at all. */
  async state(embedder: string, params: HnswParams = DEFAULT_HNSW): Promise<'current' | 'outdated' | 'missing'> {
    const existing = await this.list(embedder);
    if (existing.some((i) => i.name === vectorIndexName(embedder, params) && i.valid)) return 'current';
    return existing.some((i) => i.valid) ? 'outdated' : 'missing';
  }

  /** Drops the embedder's HNSW indexes (a bulk load then builds the index once, after the rows). */
  async drop(embedder: string): Promise<void> {
    for (const i of await this.list(embedder)) await this.ds.query(`DROP INDEX IF EXISTS ${i.name}`);
  }

  private async list(embedder: string): Promise<{ name: string; valid: boolean }[]> {
    const rows: { name: string; valid: boolean }[] = await this.ds.query(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'memory_chunks'::regclass AND c.relname LIKE $1`,
      [`${vectorIndexPrefix(embedder)}%`],
    );
    return rows;
  }
}
