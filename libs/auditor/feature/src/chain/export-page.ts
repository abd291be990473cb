import type { ExportedEvent } from '@cp/shared/contracts';
import type { EventStore } from '@cp/shared/event-store';

/** A page stays well under the bus's max payload (1 MiB on a default nats-server), whatever the events weigh. */
const PAGE_BYTES = 512 * 1024;

/** Links after a position for an export, cut at `PAGE_BYTES` of JSON (always at least one). */
export async function exportPage(store: EventStore, afterPosition: number, limit = 200): Promise<ExportedEvent[]> {
  const links = await store.links(afterPosition, limit);
  const page: ExportedEvent[] = [];
  let bytes = 0;
  for (const link of links) {
    bytes += Buffer.byteLength(JSON.stringify(link));
    if (page.length > 0 && bytes > PAGE_BYTES) break;
    page.push(link);
  }
  return page;
}
