import { EventEnvelope } from '@cp/shared/contracts';
import { eventsOf } from '@cp/shared/messaging';

const enc = new TextEncoder();

/** One stream message read as events: the envelopes, where each came from, and which entries were not envelopes. */
export interface ParsedMessage {
  events: EventEnvelope[];
  /**
   * Each valid event's entry as JSON text bytes (what is parked when that one event is refused).
   * Made on demand from the message: only a refused event needs it, and making it up front cost a
   * `JSON.stringify` and an encoded copy of every event of every batch message (4 % of what the
   * auditor allocated under load).
   */
  rawOf(index: number): Uint8Array;
  /** Indexes of the entries that are not event envelopes (a message that is not JSON has [0]). */
  invalid: number[];
}

export function parseEvents(data: Uint8Array): ParsedMessage {
  const entries = eventsOf(data);
  const events: EventEnvelope[] = [];
  const invalid: number[] = [];
  /** The entry index of each valid event. */
  const at: number[] = [];
  const single = entries.length === 1;
  // Refers to the message's bytes, not to `entries`, so the parsed entries are not kept alive.
  const rawOf = (index: number): Uint8Array => (single ? data : enc.encode(safeStringify(eventsOf(data)[at[index]])));
  if (entries.length === 0) return { events, rawOf, invalid: [0] };
  entries.forEach((entry, i) => {
    const parsed = EventEnvelope.safeParse(entry);
    if (!parsed.success) return void invalid.push(i);
    events.push(parsed.data);
    at.push(i);
  });
  return { events, rawOf, invalid };
}

/** An entry too deep to serialise still gets parked, as a note that says so. */
function safeStringify(entry: unknown): string {
  try {
    return JSON.stringify(entry);
  } catch (err) {
    return JSON.stringify({ unserialisable: err instanceof Error ? err.message : String(err) });
  }
}
