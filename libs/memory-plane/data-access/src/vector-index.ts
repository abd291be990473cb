import type { DataSource } from 'typeorm';
import { sha256, sqlEmbedder, sqlInt } from './sql-literals';

/**
 * What an HNSW index holds of each vector: `halfvec` (16-bit floats: half the index, so it stays
 * in Postgres's buffer cache, and cheaper distances) or `vector` (32-bit, the indexes built
 * before 2026-12-02). The rows always keep the full-precision vector.
 */
export type IndexedVectorType = 'halfvec' | 'vector';

/** HNSW build parameters: neighbours per node (`m`), the candidate list while building (`ef_construction`), the indexed vector type. */
export interface HnswParams {
  m: number;
  efConstruction: number;
  vectorType: IndexedVectorType;
}

/**
 * The KB's HNSW parameters, and the `hnsw.ef_search` queries use with them: measured by
 * `npm run bench:kb` (docs/performance.md) as the cheapest setting that keeps recall@10 against an
 * exact scan (over the full-precision vectors) at 0.95 or more at 100,000 chunks. A graph built
 * with a longer candidate list (ef_construction 256) is searched as well at ef_search 200 as the
 * ef_construction 128 one was at 300: a third less of the graph walk a query pays for, once, at build.
 */
export const DEFAULT_HNSW: HnswParams = { m: 24, efConstruction: 256, vectorType: 'halfvec' };
export const DEFAULT_EF_SEARCH = 200;

/** How long the vector type a query orders by is trusted before the catalogue is read again (another replica may have replaced the index). */
const SEARCH_TYPE_TTL_MS = 10_000;

function vectorIndexPrefix(embedder: string): string {
  return `memory_chunks_hnsw_${sha256(embedder).slice(0, 12)}`;
}

/** The index's name says its embedder and parameters, so a change of parameters builds a new one (a `vector` index keeps the name it had before halfvec indexes). */
export function vectorIndexName(embedder: string, params: HnswParams): string {
  return `${vectorIndexPrefix(embedder)}_m${sqlInt(params.m)}_ef${sqlInt(params.efConstruction)}${params.vectorType === 'halfvec' ? '_half' : ''}`;
}

/** The expression an index of `type` is built over, and that a query must order by to use it. */
export function indexedEmbedding(expr: string, type: IndexedVectorType, dim: number): string {
  return `${expr}::${type}(${sqlInt(dim)})`;
}

interface IndexRow {
  name: string;
  valid: boolean;
  type: IndexedVectorType;
}

/** The KB's partial HNSW indexes (cosine), one per embedder, named by their parameters. */
export class VectorIndexes {
  private readonly searchTypes = new Map<string, { type: IndexedVectorType; until: number }>();

  constructor(private readonly ds: DataSource, private readonly now: () => number = Date.now) {}

  /**
   * The partial HNSW index (cosine) for one embedder's vectors, built with `params`; idempotent.
   * An index of the embedder built with other parameters (or another vector type) is dropped once
   * this one is ready (until then vector queries keep using it). `concurrently` builds without
   * blocking ingests (slower; for replacing an index of a KB in service); `maintenanceWorkMem` lets
   * a large build keep its graph in memory (pgvector builds far slower once it does not fit).
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
          `CREATE INDEX ${opts.concurrently ? 'CONCURRENTLY ' : ''}IF NOT EXISTS ${name} ON memory_chunks USING hnsw ((${indexedEmbedding('embedding', params.vectorType, dim)}) ${params.vectorType}_cosine_ops) WITH (m = ${sqlInt(params.m)}, ef_construction = ${sqlInt(params.efConstruction)}) WHERE embedder = ${sqlEmbedder(embedder)}`,
        );
        if (opts.maintenanceWorkMem) await qr.query(`RESET maintenance_work_mem`);
      } finally {
        await qr.release();
      }
    }
    // Another replica's build of the same index may still be running (IF NOT EXISTS skipped it):
    // the old index goes only once the new one is valid.
    this.searchTypes.delete(embedder);
    if ((await this.state(embedder, params)) !== 'current') return;
    for (const other of existing) if (other.name !== name) await this.ds.query(`DROP INDEX IF EXISTS ${other.name}`);
  }

  /** Whether the embedder's HNSW index exists with `params` (`current`), only with other parameters (`outdated`), or not at all. */
  async state(embedder: string, params: HnswParams = DEFAULT_HNSW): Promise<'current' | 'outdated' | 'missing'> {
    const existing = await this.list(embedder);
    if (existing.some((i) => i.name === vectorIndexName(embedder, params) && i.valid)) return 'current';
    return existing.some((i) => i.valid) ? 'outdated' : 'missing';
  }

  /**
   * The vector type the embedder's queries order by, so that they use its index: that of the
   * index with `params` once it is valid, else that of the index it replaces (an index of older
   * parameters stays in use while the new one is built), else `params`'. Read from the catalogue
   * at most every 10 s.
   */
  async searchType(embedder: string, params: HnswParams = DEFAULT_HNSW): Promise<IndexedVectorType> {
    const cached = this.searchTypes.get(embedder);
    if (cached && cached.until > this.now()) return cached.type;
    const valid = (await this.list(embedder)).filter((i) => i.valid);
    const type = valid.find((i) => i.name === vectorIndexName(embedder, params))?.type ?? valid[0]?.type ?? params.vectorType;
    this.searchTypes.set(embedder, { type, until: this.now() + SEARCH_TYPE_TTL_MS });
    return type;
  }

  /** Drops the embedder's HNSW indexes (a bulk load then builds the index once, after the rows). */
  async drop(embedder: string): Promise<void> {
    for (const i of await this.list(embedder)) await this.ds.query(`DROP INDEX IF EXISTS ${i.name}`);
    this.searchTypes.delete(embedder);
  }

  /** The embedder's indexes' names and sizes in bytes. */
  async sizes(embedder: string): Promise<{ name: string; bytes: number }[]> {
    const rows: { name: string; bytes: string }[] = await this.ds.query(
      `SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes FROM pg_class c WHERE c.relkind = 'i' AND c.relname LIKE $1 ORDER BY c.relname`,
      [`${vectorIndexPrefix(embedder)}%`],
    );
    return rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) }));
  }

  private async list(embedder: string): Promise<IndexRow[]> {
    const rows: { name: string; valid: boolean; def: string }[] = await this.ds.query(
      `SELECT c.relname AS name, i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'memory_chunks'::regclass AND c.relname LIKE $1`,
      [`${vectorIndexPrefix(embedder)}%`],
    );
    return rows.map((r) => ({ name: r.name, valid: r.valid, type: r.def.includes('halfvec_cosine_ops') ? 'halfvec' : 'vector' }));
  }
}
