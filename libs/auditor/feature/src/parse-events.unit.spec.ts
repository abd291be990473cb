import { sampleEvent } from '@cp/shared/testing';
import { parseEvents } from './parse-events';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('parseEvents', () => {
  it('given a batch message with an entry that is not an envelope, then each event’s raw bytes are its own entry as JSON text', () => {
    const a = sampleEvent(1, { n: 1, text: 'héllo "x"' });
    const b = sampleEvent(2);
    const data = enc.encode(JSON.stringify([a, { not: 'an event' }, b]));
    const parsed = parseEvents(data);
    expect(parsed.events.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(parsed.invalid).toEqual([1]);
    expect(JSON.parse(dec.decode(parsed.rawOf(0)))).toEqual(a);
    expect(JSON.parse(dec.decode(parsed.rawOf(1)))).toEqual(b);
  });

  it('given a single-event message, then its raw bytes are the message itself', () => {
    const data = enc.encode(JSON.stringify(sampleEvent(3)));
    const parsed = parseEvents(data);
    expect(parsed.events).toHaveLength(1);
    expect(parsed.rawOf(0)).toBe(data);
  });

  it('given bytes that are not JSON, then there is no event and the message is entry 0 of the invalid ones', () => {
    expect(parseEvents(enc.encode('not json'))).toMatchObject({ events: [], invalid: [0] });
  });
});
