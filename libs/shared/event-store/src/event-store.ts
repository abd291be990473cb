import type { EventEnvelope } from '@cp/shared/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { ChainWalker } from './chain-walker';
import { chainHash, GENESIS_HASH, type StoredLink } from './hash-chain';

export interface AppendResult {
  appended: number;
  duplicates: number;
  headPosition: number;
  headHash: string;
}

export interface VerifyResult {
  ok: boolean;
  count: number;
  headHash: string | null;
  firstBrokenPosition: number | null;
}

/** A link with the rest of its record: what `cpctl audit export` writes, one per line. */
export interface ExportedLink extends StoredLink {
  version: number;
  correlationId: string;
  causationId: string | null;
}

export interface StoredEvent {
  position: number;
  id: string;
  streamId: string;
  type: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  payload: unknown;
  hash: string;
}

const WRITER_LOCK = 7243002;

/** A consumer's settled position in the event stream (see the consumer_checkpoints migration). */
export interface Checkpoint {
  name: string;
  streamSeq: number;
}

async function saveCheckpoint(m: EntityManager, c: Checkpoint): Promise<void> {
  await m.query(
    `INSERT INTO consumer_checkpoints (name, stream_seq) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET stream_seq = GREATEST(consumer_checkpoints.stream_seq, EXCLUDED.stream_seq), updated_at = now()`,
    [c.name, c.streamSeq],
  );
}

interface EventRow {
  position: string;
  id: string;
  stream_id: string;
  type: string;
  version: number;
  occurred_at: Date;
  correlation_id: string;
  payload: unknown;
  prev_hash: string;
  hash: string;
}

/**
 * Append-only access to the `events` table. `append` is meant for the single writer (the auditor);
 * a transaction-scoped advisory lock keeps the chain linear even if a second writer appears.
 */
export class EventStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Appends a batch in one transaction, skipping ids already stored (idempotent redelivery). With a
   * checkpoint, the consumer's settled position moves forward (never back) in the same transaction.
   */
  async append(events: EventEnvelope[], checkpoint?: Checkpoint): Promise<AppendResult> {
    return this.ds.transaction(async (m) => {
      if (checkpoint) await saveCheckpoint(m, checkpoint);
      await m.query('SELECT pg_advisory_xact_lock($1)', [WRITER_LOCK]);
      const head = await this.head(m);
      const unique = dedupeById(events);
      const existing = new Set<string>(
        (await m.query('SELECT id::text AS id FROM events WHERE id = ANY($1::uuid[])', [unique.map((e) => e.id)]) as { id: string }[]).map((r) => r.id),
      );
      const fresh = unique.filter((e) => !existing.has(e.id));
      let { position, hash } = head;
      const cols: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
      // The payloads travel as one JSON array: in a text[] parameter pg escapes every quote of every
      // payload (two `replace` copies each): a quarter of what the auditor allocated under load.
      const payloads: string[] = [];
      const missing: number[] = [];
      for (const e of fresh) {
        position += 1;
        const occurredAt = new Date(e.occurredAt).toISOString();
        const prev = hash;
        hash = chainHash(prev, { position, id: e.id, type: e.type, streamId: e.streamId, occurredAt, payload: e.payload });
        const row = [position, e.id, e.streamId, e.type, e.version, occurredAt, e.correlationId, e.causationId, prev, hash];
        for (let i = 0; i < row.length; i++) cols[i].push(row[i]);
        const json = JSON.stringify(e.payload) as string | undefined;
        // No JSON for it (an event without a payload): SQL NULL, which the NOT NULL column refuses.
        if (json === undefined) missing.push(position);
        payloads.push(json ?? 'null');
      }
      if (fresh.length > 0) {
        await m.query(
          `INSERT INTO events (position, id, stream_id, type, version, occurred_at, correlation_id, causation_id, payload, prev_hash, hash, metadata)
           SELECT p, i, s, t, v, o, c, ca, CASE WHEN p = ANY($12::bigint[]) THEN NULL ELSE pl END, ph, h, '{}'::jsonb
           FROM ROWS FROM (unnest($1::bigint[]), unnest($2::uuid[]), unnest($3::text[]), unnest($4::text[]), unnest($5::int[]), unnest($6::timestamptz[]),
                           unnest($7::text[]), unnest($8::text[]), unnest($9::text[]), unnest($10::text[]), jsonb_array_elements($11::jsonb))
             AS x(p, i, s, t, v, o, c, ca, ph, h, pl)`,
          // The array's text (hundreds of KiB) is made when pg serialises the statement (its
          // documented `toPostgres` hook) and dropped right after: as a parameter it would be held
          // for the whole round trip, survive young-generation GCs and wait in the old generation.
          [...cols, { toPostgres: () => `[${payloads.join(',')}]` }, missing],
        );
      }
      return { appended: fresh.length, duplicates: events.length - fresh.length, headPosition: position, headHash: hash };
    });
  }

  /** Moves a consumer's settled position forward (never back), outside any append. */
  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await saveCheckpoint(this.ds.manager, checkpoint);
  }

  /** A consumer's settled position; 0 when it never settled anything. */
  async checkpoint(name: string): Promise<number> {
    const rows = (await this.ds.query('SELECT stream_seq FROM consumer_checkpoints WHERE name = $1', [name])) as { stream_seq: string }[];
    return rows.length === 0 ? 0 : Number(rows[0].stream_seq);
  }

  /** Which of these event ids are stored. */
  async storedIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.ds.query('SELECT id::text AS id FROM events WHERE id = ANY($1::uuid[])', [ids])) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /** True when the database answers at all: tells a refused event from an unreachable store. */
  async reachable(): Promise<boolean> {
    try {
      await this.ds.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async head(m: EntityManager): Promise<{ position: number; hash: string }> {
    const rows = (await m.query('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1')) as { position: string; hash: string }[];
    return rows.length === 0 ? { position: 0, hash: GENESIS_HASH } : { position: Number(rows[0].position), hash: rows[0].hash };
  }

  /** Recomputes the whole chain page by page and names the first broken position. */
  async verify(pageSize = 2000): Promise<VerifyResult> {
    const walker = await this.walk(new ChainWalker(), pageSize);
    const problem = walker.finish();
    return { ok: problem === null, count: walker.position, headHash: walker.position === 0 ? null : walker.headHash, firstBrokenPosition: problem?.position ?? null };
  }

  /** Feeds the walker every link after its position, page by page, until the end or its first problem. */
  async walk(walker: ChainWalker, pageSize = 2000): Promise<ChainWalker> {
    for (;;) {
      const links = await this.links(walker.position, pageSize);
      if (links.length === 0 || !walker.push(links)) return walker;
    }
  }

  /** Links after a position, in order, with everything the chain covers and the rest of the record (an export). */
  async links(afterPosition: number, limit: number): Promise<ExportedLink[]> {
    const rows = (await this.ds.query(
      'SELECT position, id::text AS id, stream_id, type, version, occurred_at, correlation_id, causation_id, payload, prev_hash, hash FROM events WHERE position > $1 ORDER BY position LIMIT $2',
      [afterPosition, Math.min(limit, 10_000)],
    )) as (EventRow & { causation_id: string | null })[];
    return rows.map((r) => ({ ...toLink(r), version: r.version, correlationId: r.correlation_id, causationId: r.causation_id }));
  }

  /** The stored hash at each of these positions (absent positions are missing from the map). */
  async hashesAt(positions: number[]): Promise<Map<number, string>> {
    if (positions.length === 0) return new Map();
    const rows = (await this.ds.query('SELECT position, hash FROM events WHERE position = ANY($1::bigint[])', [positions])) as { position: string; hash: string }[];
    return new Map(rows.map((r) => [Number(r.position), r.hash]));
  }

  /** The last position and its hash (position 0 and the genesis hash when empty). */
  async headLink(): Promise<{ position: number; hash: string }> {
    return this.head(this.ds.manager);
  }

  /** The `gateway.request-completed` event of one request, by its stream (an index lookup, not a scan). */
  async requestEvent(requestId: string): Promise<StoredEvent | null> {
    const rows = (await this.ds.query(
      `SELECT position, id::text AS id, stream_id, type, version, occurred_at, correlation_id, payload, prev_hash, hash FROM events WHERE stream_id = $1 AND type = 'gateway.request-completed' ORDER BY position DESC LIMIT 1`,
      [`request:${requestId}`],
    )) as EventRow[];
    return rows.length === 0 ? null : toStored(rows[0]);
  }

  /** The newest event of the given type in each stream, in store order: the current state of each. */
  async latestPerStream(type: string, limit = 10_000): Promise<StoredEvent[]> {
    const rows = (await this.ds.query(
      `SELECT * FROM (SELECT DISTINCT ON (stream_id) position, id::text AS id, stream_id, type, version, occurred_at, correlation_id, payload, prev_hash, hash FROM events WHERE type = $1 ORDER BY stream_id, position DESC) latest ORDER BY position LIMIT $2`,
      [type, Math.min(limit, 10_000)],
    )) as EventRow[];
    return rows.map(toStored);
  }

  /**
   * Events of one stream (or every stream) after a position, in store order. With `payloadPath`, only
   * the events with a value at that path of their payload, and that value as the payload.
   */
  async read(opts: { afterPosition?: number; streamId?: string; correlationId?: string; type?: string; limit?: number; payloadPath?: string[] } = {}): Promise<StoredEvent[]> {
    const where: string[] = ['position > $1'];
    const params: unknown[] = [opts.afterPosition ?? 0];
    if (opts.streamId) where.push(`stream_id = $${params.push(opts.streamId)}`);
    if (opts.correlationId) where.push(`correlation_id = $${params.push(opts.correlationId)}`);
    if (opts.type) where.push(`type = $${params.push(opts.type)}`);
    let payload = 'payload';
    if (opts.payloadPath) {
      payload = `payload #> $${params.push(opts.payloadPath)}::text[]`;
      where.push(`${payload} IS NOT NULL`);
    }
    params.push(Math.min(opts.limit ?? 1000, 10_000));
    const rows = (await this.ds.query(
      `SELECT position, id::text AS id, stream_id, type, version, occurred_at, correlation_id, ${payload} AS payload, prev_hash, hash FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT $${params.length}`,
      params,
    )) as EventRow[];
    return rows.map(toStored);
  }
}

function toStored(r: EventRow): StoredEvent {
  return { position: Number(r.position), id: r.id, streamId: r.stream_id, type: r.type, version: r.version, occurredAt: r.occurred_at.toISOString(), correlationId: r.correlation_id, payload: r.payload, hash: r.hash };
}

function toLink(r: EventRow): StoredLink {
  return { position: Number(r.position), id: r.id, type: r.type, streamId: r.stream_id, occurredAt: r.occurred_at.toISOString(), payload: r.payload, prevHash: r.prev_hash, hash: r.hash };
}

function dedupeById(events: EventEnvelope[]): EventEnvelope[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
}
