import type { DataSource } from 'typeorm';
import { newId } from '@cp/shared/contracts';
import { iso } from './kb-store';

/** A file or image seen in a request, remembered by its content hash. */
export interface MemoryItem {
  id: string;
  contentHash: string;
  filename: string | null;
  mediaType: string;
  bytes: number;
  description: string | null;
  describedBy: string | null;
  evidence: string | null;
  seenCount: number;
  firstSeen: string;
  lastSeen: string;
}

/** Multimodal memory: one row per distinct content; seeing it again counts and refreshes it. */
export class ItemStore {
  constructor(private readonly ds: DataSource) {}

  async remember(i: { contentHash: string; filename: string | null; mediaType: string; bytes: number; evidence: string | null }): Promise<{ item: MemoryItem; created: boolean }> {
    const rows = await this.ds.query(
      `INSERT INTO memory_items (id, content_hash, filename, media_type, bytes, evidence) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (content_hash) DO UPDATE SET seen_count = memory_items.seen_count + 1, last_seen = now(), filename = COALESCE(memory_items.filename, EXCLUDED.filename)
       RETURNING *, (xmax = 0) AS created`,
      [newId(), i.contentHash, i.filename, i.mediaType, i.bytes, i.evidence],
    );
    return { item: toItem(rows[0]), created: rows[0].created === true };
  }

  /**
   * Stores an item's description when it has none yet (the first description wins: two gateways
   * describing the same new image store one). `item` null: no item with that id.
   */
  async describe(id: string, description: string, describedBy: string): Promise<{ item: MemoryItem | null; described: boolean }> {
    const result = await this.ds.query(`UPDATE memory_items SET description = $2, described_by = $3 WHERE id = $1 AND description IS NULL RETURNING *`, [id, description, describedBy]);
    // TypeORM answers an UPDATE ... RETURNING as [rows, count].
    const rows = Array.isArray(result[0]) ? result[0] : result;
    if (rows.length > 0) return { item: toItem(rows[0]), described: true };
    const existing = await this.ds.query(`SELECT * FROM memory_items WHERE id = $1`, [id]);
    return { item: existing.length > 0 ? toItem(existing[0]) : null, described: false };
  }

  async list(limit = 1000): Promise<MemoryItem[]> {
    const rows = await this.ds.query(`SELECT * FROM memory_items ORDER BY last_seen DESC LIMIT $1`, [limit]);
    return rows.map(toItem);
  }
}

function toItem(r: Record<string, unknown>): MemoryItem {
  return { id: String(r.id), contentHash: String(r.content_hash), filename: (r.filename as string | null) ?? null, mediaType: String(r.media_type), bytes: Number(r.bytes), description: (r.description as string | null) ?? null, describedBy: (r.described_by as string | null) ?? null, evidence: (r.evidence as string | null) ?? null, seenCount: Number(r.seen_count), firstSeen: iso(r.first_seen), lastSeen: iso(r.last_seen) };
}
