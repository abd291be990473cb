import type { ExportedEvent, ReplayReply } from '@cp/shared/contracts';
import type { EventStore, StoredEvent } from '@cp/shared/event-store';

/** A page stays well under the bus's max payload (1 MiB on a default nats-server), whatever the events weigh. */
const PAGE_BYTES = 512 * 1024;

/** The first items whose JSON fits in `PAGE_BYTES` (always at least one). */
function cutAtBytes<T>(items: T[]): T[] {
  const page: T[] = [];
  let bytes = 0;
  for (const item of items) {
    bytes += Buffer.byteLength(JSON.stringify(item));
    if (page.length > 0 && bytes > PAGE_BYTES) break;
    page.push(item);
  }
  return page;
}

/** Links after a position for an export, cut at `PAGE_BYTES` of JSON (always at least one). */
export async function exportPage(store: EventStore, afterPosition: number, limit = 200): Promise<ExportedEvent[]> {
  return cutAtBytes(await store.links(afterPosition, limit));
}

/** The default page of `cp.auditor.rpc.replay.v1` when the request names no limit. */
export const REPLAY_DEFAULT_LIMIT = 1000;

/** A stored event as the bus shows it: without its chain hash. */
export function withoutHash({ hash: _hash, ...event }: StoredEvent): Omit<StoredEvent, 'hash'> {
  return event;
}

/** A replay page, cut at `PAGE_BYTES`; `more` when it was cut there or at the limit (the reader asks again after its last position). */
export function replayPage(stored: StoredEvent[], limit: number): ReplayReply {
  const events = cutAtBytes(stored.map(withoutHash));
  return { events, more: events.length < stored.length || stored.length >= limit };
}
