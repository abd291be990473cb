import { eventsOf } from './event-batch';
import { EventPublisher, type PendingEvent } from './event-publisher';

const enc = new TextEncoder();
const event = (id: string, subject = 'cp.test.happened.v1'): PendingEvent => ({ subject, id, ids: [id], correlationId: `c-${id}`, data: enc.encode(JSON.stringify({ id })), traceparent: null, attempts: 0, count: 1 });
const nextTick = () => new Promise<void>((r) => setImmediate(r));

/** A publisher whose JetStream is a list of the messages it was given (each acked at once). */
function publisherWith(): { publisher: EventPublisher; sent: PendingEvent[] } {
  const sent: PendingEvent[] = [];
  const publisher = new EventPublisher(
    async (ev) => void sent.push(ev),
    (err) => {
      throw err;
    },
  );
  return { publisher, sent };
}
const idsIn = (m: PendingEvent) => eventsOf(m.data).map((e) => (e as { id: string }).id);

describe(EventPublisher, () => {
  describe('publish', () => {
    it('given events over two ticks, then the events of each tick go out after it, one message per tick', async () => {
      const { publisher, sent } = publisherWith();
      publisher.publish(event('a1'));
      publisher.publish(event('a2'));
      await nextTick();
      publisher.publish(event('b1'));
      await nextTick();
      expect(sent.map(idsIn)).toEqual([['a1', 'a2'], ['b1']]);
    });

    it('given events of two subjects, then each run of one subject is a message and the order is kept', async () => {
      const { publisher, sent } = publisherWith();
      for (const [id, subject] of [['a1', 'x'], ['a2', 'x'], ['b1', 'y'], ['a3', 'x']]) publisher.publish(event(id, subject));
      await nextTick();
      expect(sent.map((m) => [m.subject, idsIn(m)])).toEqual([['x', ['a1', 'a2']], ['y', ['b1']], ['x', ['a3']]]);
    });
  });

  describe('publishRecovered', () => {
    it('given journalled events with their message ids, then each message is rebuilt with the same id and events, and nothing new joins it', async () => {
      const { publisher, sent } = publisherWith();
      const journalled = [event('a1'), event('a2'), event('a3'), event('b1')].map((e, i) => ({ subject: e.subject, id: e.id, correlationId: e.correlationId!, data: e.data, batch: i < 3 ? 'a1' : 'b1' }));
      publisher.publishRecovered(journalled);
      publisher.publish(event('c1'));
      await nextTick();
      expect(sent.map((m) => [m.id, idsIn(m)])).toEqual([['a1', ['a1', 'a2', 'a3']], ['b1', ['b1']], ['c1', ['c1']]]);
    });
  });
});
