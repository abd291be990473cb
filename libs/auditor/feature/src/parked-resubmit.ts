import { EventEnvelope, ParkedResubmitted, storable, type RpcError } from '@cp/shared/contracts';
import type { EventStore } from '@cp/shared/event-store';
import type { NatsBus } from '@cp/shared/messaging';
import type { EventIngestor } from './event-ingestor';
import { parseEvents } from './parse-events';
import { errorText } from './write-failure';

type ResubmitReply = { ok: true; stored: number; duplicates: number } | { ok: false; error: RpcError };

const fail = (status: number, code: string, message: string): ResubmitReply => ({ ok: false, error: { status, code, type: status === 404 ? 'not_found_error' : 'invalid_request_error', message } });

/**
 * Re-submits a parked message: its own bytes again (the cause was fixed elsewhere), or the
 * operator's fixed envelopes in its place. The events are stored in the writer's order, the parked
 * message leaves the dead-letter stream, and the resubmission is an event. A fixed envelope must
 * keep the id of one of the parked events, so a fix cannot smuggle in unrelated events.
 */
export async function resubmitParked(bus: NatsBus, store: EventStore, ingestor: EventIngestor, parkedSeq: number, fixed?: unknown[]): Promise<ResubmitReply> {
  const parked = await bus.deadLetters.get(parkedSeq);
  if (!parked) return fail(404, 'parked_not_found', `nothing is parked at ${parkedSeq}`);
  const original = parseEvents(parked.data);
  let events: EventEnvelope[];
  if (fixed) {
    const parsed = fixed.map((e) => EventEnvelope.safeParse(e));
    const bad = parsed.findIndex((p) => !p.success);
    if (bad >= 0) return fail(400, 'invalid_event', `events.${bad} is not an event envelope`);
    events = parsed.map((p) => storable(p.data as EventEnvelope));
    const known = new Set(original.events.map((e) => e.id));
    const foreign = events.find((e) => known.size > 0 && !known.has(e.id));
    if (foreign) return fail(400, 'foreign_event', `event ${foreign.id} is not one of the parked events`);
  } else {
    if (original.events.length === 0) return fail(400, 'nothing_to_store', 'the parked message holds no event envelope; re-submit it with fixed events');
    events = original.events;
  }
  let result: ResubmitReply = fail(500, 'not_run', 'not run');
  await ingestor.serially(async () => {
    try {
      const r = await store.append(events);
      result = { ok: true, stored: r.appended, duplicates: r.duplicates };
    } catch (err) {
      result = fail(422, 'store_refused', `the store still refuses it: ${errorText(err).slice(0, 300)}`);
    }
  });
  if (!result.ok) return result;
  await bus.deadLetters.remove(parkedSeq);
  const streamSeq = Number(parked.header.get('Cp-Stream-Seq')) || 0;
  bus.publish(ParkedResubmitted, { parkedSeq, streamSeq, stored: result.stored, fixed: fixed !== undefined }, { streamId: 'parked:auditor', correlationId: `parked:${parkedSeq}` });
  return result;
}
