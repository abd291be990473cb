import type { DataSource } from 'typeorm';
import { iso } from './kb-store';

export interface StoredPreference {
  id: string;
  subject: string;
  statement: string;
  polarity: 'positive' | 'negative';
  confidence: number;
  origin: 'learned' | 'api';
  /** The request the preference was learned from (learned ones). */
  evidence: string | null;
  supersededBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewPreference = Omit<StoredPreference, 'supersededBy' | 'updatedAt'>;

/** Preferences: a new statement on a subject supersedes the active older ones in the same transaction. */
export class PreferenceStore {
  constructor(private readonly ds: DataSource) {}

  /** Stores `p` and marks `supersedes` (active ones on the same subject) as superseded by it. */
  async add(p: NewPreference, supersedes: readonly string[]): Promise<StoredPreference> {
    return this.ds.transaction(async (m) => {
      const rows = await m.query(
        `INSERT INTO memory_preferences (id, subject, statement, polarity, confidence, origin, evidence, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *`,
        [p.id, p.subject, p.statement, p.polarity, p.confidence, p.origin, p.evidence, p.createdAt],
      );
      if (supersedes.length > 0) await m.query(`UPDATE memory_preferences SET superseded_by = $1, updated_at = now() WHERE id = ANY($2::uuid[]) AND superseded_by IS NULL`, [p.id, supersedes]);
      return toPreference(rows[0]);
    });
  }

  async update(id: string, patch: Partial<Pick<StoredPreference, 'statement' | 'subject' | 'polarity' | 'confidence'>>): Promise<StoredPreference | null> {
    const rows = await this.ds.query(
      `UPDATE memory_preferences SET statement = COALESCE($2, statement), subject = COALESCE($3, subject), polarity = COALESCE($4, polarity), confidence = COALESCE($5, confidence), updated_at = now() WHERE id = $1 RETURNING *`,
      [id, patch.statement ?? null, patch.subject ?? null, patch.polarity ?? null, patch.confidence ?? null],
    );
    const list = Array.isArray(rows[0]) ? rows[0] : rows;
    return list.length ? toPreference(list[0]) : null;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.ds.query(`DELETE FROM memory_preferences WHERE id = $1 RETURNING id`, [id]);
    return (Array.isArray(rows[0]) ? rows[0] : rows).length > 0;
  }

  /** Active preferences (not superseded), newest first; `all` includes superseded ones. */
  async list(all = false, limit = 1000): Promise<StoredPreference[]> {
    const rows = await this.ds.query(`SELECT * FROM memory_preferences ${all ? '' : 'WHERE superseded_by IS NULL'} ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]);
    return rows.map(toPreference);
  }
}

function toPreference(r: Record<string, unknown>): StoredPreference {
  return { id: String(r.id), subject: String(r.subject), statement: String(r.statement), polarity: r.polarity === 'negative' ? 'negative' : 'positive', confidence: Number(r.confidence), origin: r.origin === 'learned' ? 'learned' : 'api', evidence: (r.evidence as string | null) ?? null, supersededBy: (r.superseded_by as string | null) ?? null, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) };
}
