import { EventEnvelope } from '@cp/shared/contracts';
import { eventsOf } from '@cp/shared/messaging';

const enc = new TextEncoder();

/** One stream message read as events: the envelopes, their raw entries, and which entries were not envelopes. */
export interface ParsedMessage {
  events: EventEnvelope[];
  /** Each valid event's entry as JSON text bytes (what is parked when that one event is refused). */
  raw: Uint8Array[];
  /** Indexes of the entries that are not event envelopes (a message that is not JSON has [0]). */
  invalid: number[];
}

export function parseEvents(data: Uint8Array): ParsedMessage {
  const entries = eventsOf(data);
  if (entries.length === 0) return { events: [], raw: [], invalid: [0] };
  const out: ParsedMessage = { events: [], raw: [], invalid: [] };
  entries.forEach((entry, i) => {
    const parsed = EventEnvelope.safeParse(entry);
    if (!parsed.success) return void out.invalid.push(i);
    out.events.push(parsed.data);
    out.raw.push(entries.length === 1 ? data : enc.encode(safeStringify(entry)));
  });
  return out;
}

/** An entry too deep to serialise still gets parked, as a note that says so. */
function safeStringify(entry: unknown): string {
  try {
    return JSON.stringify(entry);
  } catch (err) {
    return JSON.stringify({ unserialisable: err instanceof Error ? err.message : String(err) });
  }
}
