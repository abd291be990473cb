import type { DataSource } from 'typeorm';
import { newId } from '@cp/shared/contracts';
import { iso } from './kb-store';

export interface StatusItem {
  id: string;
  kind: 'priority' | 'project' | 'note';
  text: string;
  updatedAt: string;
}

/** Operational status: the current priorities, projects and a note, replaced as a whole by each update. */
export class StatusStore {
  constructor(private readonly ds: DataSource) {}

  async replace(items: readonly Omit<StatusItem, 'id' | 'updatedAt'>[], now = new Date()): Promise<StatusItem[]> {
    return this.ds.transaction(async (m) => {
      await m.query(`DELETE FROM memory_status_items`);
      const ids = items.map(() => newId());
      if (items.length > 0) {
        await m.query(
          `INSERT INTO memory_status_items (id, kind, text, position, updated_at) SELECT u.id, u.kind, u.text, u.position, $1 FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[]) AS u(id, kind, text, position)`,
          [now, ids, items.map((i) => i.kind), items.map((i) => i.text), items.map((_, n) => n)],
        );
      }
      return items.map((i, n) => ({ id: ids[n], kind: i.kind, text: i.text, updatedAt: now.toISOString() }));
    });
  }

  async list(): Promise<StatusItem[]> {
    const rows = await this.ds.query(`SELECT * FROM memory_status_items ORDER BY position`);
    return rows.map((r: Record<string, unknown>) => ({ id: String(r.id), kind: r.kind as StatusItem['kind'], text: String(r.text), updatedAt: iso(r.updated_at) }));
  }
}
