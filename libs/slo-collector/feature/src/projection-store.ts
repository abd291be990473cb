import type { Pool } from 'pg';

/** Saves and loads a read model's state with the stream sequence it includes (`read_model_snapshots`). */
export class ProjectionStore {
  constructor(
    private readonly pool: Pool,
    private readonly name: string,
  ) {}

  async load<T>(): Promise<{ streamSeq: number; state: T } | null> {
    const { rows } = await this.pool.query<{ stream_seq: string; state: T }>(`SELECT stream_seq, state FROM read_model_snapshots WHERE name = $1`, [this.name]);
    return rows.length === 0 ? null : { streamSeq: Number(rows[0].stream_seq), state: rows[0].state };
  }

  /** One statement: the state and its position can never be saved apart. */
  async save(streamSeq: number, state: unknown): Promise<void> {
    await this.pool.query(
      `INSERT INTO read_model_snapshots (name, stream_seq, state, updated_at) VALUES ($1, $2, $3::jsonb, now())
       ON CONFLICT (name) DO UPDATE SET stream_seq = EXCLUDED.stream_seq, state = EXCLUDED.state, updated_at = now()`,
      [this.name, streamSeq, JSON.stringify(state)],
    );
  }
}
