import type { DataSource, EntityManager } from 'typeorm';
import { KEYWORD_ROW_BUDGET, type KeywordPlan } from '@cp/memory-plane/domain';
import { newId } from '@cp/shared/contracts';
import { sha256, sqlEmbedder, sqlInt } from './sql-literals';
import { indexedEmbedding, VectorIndexes } from './vector-index';

export interface StoredDocument {
  id: string;
  title: string;
  source: string | null;
  mimeType: string;
  contentHash: string;
  bytes: number;
  chunks: number;
  createdAt: string;
  updatedAt: string;
}

export interface ChunkToStore {
  index: number;
  heading: string | null;
  text: string;
  embedding: Float32Array;
}

export interface IngestInput {
  title: string;
  content: string;
  source: string | null;
  mimeType: string;
}

export type IngestOutcome = { outcome: 'unchanged' | 'created' | 'replaced'; document: StoredDocument; replacedChunks: number };

/** A chunk found by one retriever, with its cosine similarity to the query (null for another embedder's chunk) and keyword rank. */
export interface ChunkHit {
  id: string;
  documentId: string;
  title: string;
  source: string | null;
  text: string;
  textHash: string;
  updatedAt: string;
  similarity: number | null;
  keywordRank: number;
}


/**
 * The knowledge base in Postgres: documents, their chunks with a pgvector column and a stored
 * tsvector. Ingest is one transaction (a failure leaves nothing half-stored); the same content
 * again is a no-op; a document with the same source and new content has its chunks replaced.
 */
export class KbStore {
  /** The embedder's HNSW indexes (build, state, drop). */
  readonly indexes: VectorIndexes;

  constructor(private readonly ds: DataSource) {
    this.indexes = new VectorIndexes(ds);
  }

  async ingest(input: IngestInput, embedder: string, chunks: readonly ChunkToStore[], now = new Date()): Promise<IngestOutcome> {
    const contentHash = sha256(input.content);
    return this.ds.transaction(async (m) => {
      // One ingest at a time per source and per content: two concurrent ingests of either cannot interleave.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`kb:content:${contentHash}`]);
      if (input.source) await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`kb:source:${input.source}`]);
      const same = await m.query(`SELECT * FROM memory_documents WHERE content_hash = $1 ORDER BY created_at LIMIT 1`, [contentHash]);
      if (same.length > 0) return { outcome: 'unchanged' as const, document: toDocument(same[0]), replacedChunks: 0 };
      const previous = input.source ? await m.query(`SELECT * FROM memory_documents WHERE source = $1`, [input.source]) : [];
      let id: string;
      let replacedChunks = 0;
      if (previous.length > 0) {
        id = previous[0].id;
        const deleted = await m.query(`DELETE FROM memory_chunks WHERE document_id = $1`, [id]);
        replacedChunks = Array.isArray(deleted) ? Number(deleted[1] ?? 0) : 0;
        await m.query(`UPDATE memory_documents SET title = $2, mime_type = $3, content_hash = $4, bytes = $5, chunk_count = $6, updated_at = $7 WHERE id = $1`, [id, input.title, input.mimeType, contentHash, Buffer.byteLength(input.content), chunks.length, now]);
      } else {
        id = newId();
        await m.query(`INSERT INTO memory_documents (id, title, source, mime_type, content_hash, bytes, chunk_count, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, [id, input.title, input.source, input.mimeType, contentHash, Buffer.byteLength(input.content), chunks.length, now]);
      }
      await insertChunks(m, id, embedder, chunks);
      const row = await m.query(`SELECT * FROM memory_documents WHERE id = $1`, [id]);
      return { outcome: previous.length > 0 ? ('replaced' as const) : ('created' as const), document: toDocument(row[0]), replacedChunks };
    });
  }

  async list(limit = 100, offset = 0): Promise<{ documents: StoredDocument[]; total: number }> {
    const rows = await this.ds.query(`SELECT * FROM memory_documents ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`, [limit, offset]);
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM memory_documents`);
    return { documents: rows.map(toDocument), total: n };
  }

  async get(id: string): Promise<StoredDocument | null> {
    const rows = await this.ds.query(`SELECT * FROM memory_documents WHERE id = $1`, [id]);
    return rows.length ? toDocument(rows[0]) : null;
  }

  /** Deletes a document and (cascade) its chunks; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const rows = await this.ds.query(`DELETE FROM memory_documents WHERE id = $1 RETURNING id`, [id]);
    return (Array.isArray(rows[0]) ? rows[0] : rows).length > 0;
  }

  /**
   * Nearest chunks of one embedder by cosine distance, through its HNSW index (ordered by the
   * distance of the index's vector type, halfvec for current indexes; the similarity returned is
   * that of the full-precision vectors); `efSearch` overrides the connection's `hnsw.ef_search`
   * for this query only (`SET LOCAL` in a transaction).
   */
  async vectorSearch(embedder: string, query: Float32Array, limit: number, efSearch?: number): Promise<ChunkHit[]> {
    const [sql, params] = await this.vectorSearchQuery(embedder, query, limit);
    const rows: Record<string, unknown>[] = efSearch === undefined
      ? await this.ds.query(sql, params)
      : await this.ds.transaction(async (m) => {
          await m.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(sqlInt(efSearch))]);
          return m.query(sql, params);
        });
    return rows.map((r) => toHit(r, 0));
  }

  /**
   * The plan Postgres chooses for `vectorSearch` (`EXPLAIN`): which index the vector half uses.
   * `seqscan: false` rules out scanning the table (a few rows are cheaper to scan and sort than to
   * search by index), to see on a small table whether the query can use the index at all.
   */
  async explainVectorSearch(embedder: string, query: Float32Array, limit: number, opts: { seqscan?: boolean } = {}): Promise<string> {
    const [sql, params] = await this.vectorSearchQuery(embedder, query, limit);
    const rows: { 'QUERY PLAN': string }[] = await this.ds.transaction(async (m) => {
      if (opts.seqscan === false) await m.query(`SET LOCAL enable_seqscan = off`);
      return m.query(`EXPLAIN ${sql}`, params);
    });
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  private async vectorSearchQuery(embedder: string, query: Float32Array, limit: number): Promise<[string, unknown[]]> {
    const dim = sqlInt(query.length);
    const type = await this.indexes.searchType(embedder);
    const sql = `SELECT c.id, c.document_id, d.title, d.source, c.text, c.text_hash, d.updated_at, 1 - (c.embedding::vector(${dim}) <=> $1::vector(${dim})) AS similarity
         FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id
        WHERE c.embedder = ${sqlEmbedder(embedder)}
        ORDER BY ${indexedEmbedding('c.embedding', type, dim)} <=> ${indexedEmbedding('$1', type, dim)}
        LIMIT $2`;
    return [sql, [vectorLiteral(query), limit]];
  }

  /** The same query by exact scan (no index) over the full-precision vectors: the reference the HNSW recall is measured against. */
  async exactSearch(embedder: string, query: Float32Array, limit: number): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      await m.query(`SET LOCAL enable_indexscan = off`);
      const dim = sqlInt(query.length);
      const rows = await m.query(`SELECT id FROM memory_chunks WHERE embedder = ${sqlEmbedder(embedder)} ORDER BY embedding::vector(${dim}) <=> $1::vector(${dim}) LIMIT $2`, [vectorLiteral(query), limit]);
      return rows.map((r: { id: string }) => r.id);
    });
  }

  /**
   * Each word as full-text search sees it (its tsquery, English stemming; words that are stop
   * words there are left out) with the number of chunks containing it (for an identifier of
   * several lexemes, the smallest count; 0 when not in the statistics: a word new since they
   * were computed, or found nowhere), and the number of chunks,
   * from the last lexeme statistics (`memory_lexemes`).
   */
  async termStats(terms: readonly string[]): Promise<{ terms: { query: string; df: number }[]; chunks: number }> {
    if (terms.length === 0) return { terms: [], chunks: 0 };
    const rows: { query: string; df: number | null; chunks: number | null }[] = await this.ds.query(
      `SELECT q::text AS query,
              (SELECT min(coalesce(l.ndoc, 0)) FROM unnest(tsvector_to_array(to_tsvector('english', t.w))) x(lexeme) LEFT JOIN memory_lexemes l ON l.lexeme = x.lexeme) AS df,
              (SELECT ndoc FROM memory_lexemes WHERE lexeme = '') AS chunks
         FROM unnest($1::text[]) WITH ORDINALITY t(w, i), websearch_to_tsquery('english', t.w) q
        WHERE numnode(q) > 0
        ORDER BY t.i`,
      [terms],
    );
    return { terms: rows.map((r) => ({ query: r.query, df: Number(r.df ?? 0) })), chunks: Number(rows[0]?.chunks ?? 0) };
  }

  /**
   * The chunks matching the plan's candidate terms (GIN index; at most `maxRows`, a bound for
   * statistics that are out of date), ranked by the summed weights of the plan's terms each
   * contains. A hit's `keywordRank` is `ts_rank_cd` of all the terms, normalised to 0..1 (computed
   * for the returned rows only): the relevance scale the memory plane's thresholds were set on.
   * The similarity to the query vector comes along for this embedder's chunks.
   */
  async keywordSearch(plan: KeywordPlan, embedder: string, query: Float32Array, limit: number, maxRows = 4 * KEYWORD_ROW_BUDGET): Promise<ChunkHit[]> {
    if (!plan.candidates) return [];
    const dim = sqlInt(query.length);
    const rows = await this.ds.query(
      `SELECT c.id, c.document_id, d.title, d.source, c.text, c.text_hash, d.updated_at, ts_rank_cd(c.tsv, $5::tsquery, 32) AS rank,
              CASE WHEN c.embedder = ${sqlEmbedder(embedder)} THEN 1 - (c.embedding::vector(${dim}) <=> $6::vector(${dim})) END AS similarity
         FROM (SELECT m.id, (SELECT sum(u.w) FROM unnest($2::tsquery[], $3::float8[]) u(q, w) WHERE m.tsv @@ u.q) AS score
                 FROM (SELECT id, tsv FROM memory_chunks WHERE tsv @@ $1::tsquery LIMIT $7) m
                ORDER BY score DESC, m.id
                LIMIT $4) s
         JOIN memory_chunks c ON c.id = s.id
         JOIN memory_documents d ON d.id = c.document_id
        ORDER BY s.score DESC, c.id`,
      [plan.candidates, plan.terms.map((t) => t.query), plan.terms.map((t) => t.idf), limit, plan.terms.map((t) => `(${t.query})`).join(' | '), vectorLiteral(query), maxRows],
    );
    return rows.map((r: Record<string, unknown>) => toHit(r, Number(r.rank)));
  }

  /**
   * After ingests: merges the full-text index's pending entries (GIN's fast update keeps new
   * entries in a list that every search scans until then: at 20,000 freshly ingested chunks it
   * doubled the keyword half's median and quadrupled its p95), then recomputes the lexeme
   * statistics keyword ranking reads (a snapshot; queries keep reading the previous one meanwhile).
   */
  async refreshKeywordStats(): Promise<void> {
    await this.ds.query(`SELECT gin_clean_pending_list('memory_chunks_tsv_idx'::regclass)`);
    await this.ds.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY memory_lexemes`);
  }

  /** Chunks made by another embedder than `embedder`, oldest first (what re-embedding works through). */
  async chunksNotEmbeddedBy(embedder: string, limit: number): Promise<{ id: string; text: string }[]> {
    return this.ds.query(`SELECT id, text FROM memory_chunks WHERE embedder <> $1 ORDER BY created_at, id LIMIT $2`, [embedder, limit]);
  }

  async countByEmbedder(): Promise<Record<string, number>> {
    const rows: { embedder: string; n: number }[] = await this.ds.query(`SELECT embedder, count(*)::int AS n FROM memory_chunks GROUP BY embedder`);
    return Object.fromEntries(rows.map((r) => [r.embedder, r.n]));
  }

  async replaceEmbeddings(embedder: string, updates: readonly { id: string; embedding: Float32Array }[]): Promise<void> {
    if (updates.length === 0) return;
    const dim = updates[0].embedding.length;
    await this.ds.query(
      `UPDATE memory_chunks c SET embedder = $1, dim = $2, embedding = u.embedding::vector
         FROM unnest($3::uuid[], $4::text[]) AS u(id, embedding) WHERE c.id = u.id`,
      [embedder, dim, updates.map((u) => u.id), updates.map((u) => vectorLiteral(u.embedding))],
    );
  }
}

async function insertChunks(m: EntityManager, documentId: string, embedder: string, chunks: readonly ChunkToStore[]): Promise<void> {
  for (let start = 0; start < chunks.length; start += 200) {
    const batch = chunks.slice(start, start + 200);
    await m.query(
      `INSERT INTO memory_chunks (id, document_id, idx, heading, text, text_hash, embedder, dim, embedding)
       SELECT u.id, $1, u.idx, u.heading, u.text, u.text_hash, $2, $3, u.embedding::vector
         FROM unnest($4::uuid[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u(id, idx, heading, text, text_hash, embedding)`,
      [documentId, embedder, batch[0]?.embedding.length ?? 0, batch.map(() => newId()), batch.map((c) => c.index), batch.map((c) => c.heading), batch.map((c) => c.text), batch.map((c) => sha256(c.text)), batch.map((c) => vectorLiteral(c.embedding))],
    );
  }
}

function toDocument(r: Record<string, unknown>): StoredDocument {
  return { id: String(r.id), title: String(r.title), source: (r.source as string | null) ?? null, mimeType: String(r.mime_type), contentHash: String(r.content_hash), bytes: Number(r.bytes), chunks: Number(r.chunk_count), createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) };
}

function toHit(r: Record<string, unknown>, keywordRank: number): ChunkHit {
  return { id: String(r.id), documentId: String(r.document_id), title: String(r.title), source: (r.source as string | null) ?? null, text: String(r.text), textHash: String(r.text_hash), updatedAt: iso(r.updated_at), similarity: r.similarity === null || r.similarity === undefined ? null : Number(r.similarity), keywordRank };
}

export function iso(v: unknown): string {
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}

function vectorLiteral(v: Float32Array): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + (Number.isFinite(v[i]) ? v[i] : 0);
  return s + ']';
}
