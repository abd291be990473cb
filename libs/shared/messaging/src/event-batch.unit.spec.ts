import { encodeEventBatch, eventsOf } from './event-batch';

const enc = new TextEncoder();
const bytes = (v: unknown) => enc.encode(JSON.stringify(v));

describe('event batches', () => {
  it('Given several envelopes, When batched, Then the message is their JSON array and eventsOf gives them back in order', () => {
    const events = [{ id: 'a', payload: { text: 'héllo, [world]' } }, { id: 'b', payload: {} }, { id: 'c', payload: { n: 3 } }];
    const batch = encodeEventBatch(events.map(bytes));
    expect(JSON.parse(new TextDecoder().decode(batch))).toEqual(events);
    expect(eventsOf(batch)).toEqual(events);
  });

  it('Given a lone envelope (a single-event message), When read, Then it is one event', () => {
    expect(eventsOf(bytes({ id: 'a' }))).toEqual([{ id: 'a' }]);
  });

  it('Given a body that is not JSON, When read, Then it carries no event', () => {
    expect(eventsOf(enc.encode('{"id":'))).toEqual([]);
  });
});
