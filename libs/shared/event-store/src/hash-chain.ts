import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The `prev_hash` of the first event in the store. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  position: number;
  id: string;
  type: string;
  streamId: string;
  /** ISO-8601 with milliseconds, as `Date#toISOString` writes it. */
  occurredAt: string;
  payload: unknown;
}

/** `sha256(prev_hash || canonical_json(position, id, type, stream_id, occurred_at, payload))`, RFC 8785 canonical JSON. */
export function chainHash(prevHash: string, e: ChainedFields): string {
  const canonical = canonicalJson({ position: e.position, id: e.id, type: e.type, streamId: e.streamId, occurredAt: e.occurredAt, payload: e.payload });
  if (canonical === undefined) throw new Error(`event ${e.id} cannot be canonicalized`);
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

export interface StoredLink extends ChainedFields {
  prevHash: string;
  hash: string;
}
