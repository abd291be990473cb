import { eventsOf } from './event-batch';
import { EventPublisher, type PendingEvent } from './event-publisher';

const enc = new TextEncoder();
const event = (id: string, subject = 'cp.test.happened.v1'): PendingEvent => ({ subject, id, ids: [id], correlationId: `c-${id}`, data: enc.encode(JSON.stringify({ id })), traceparent: null, attempts: 0, count: 1 });
const nextTick = () => new Promise<void>((r) => setImmediate(r));

/** A publisher whose JetStream is a list of the messages it was given (each acked at once). */
function publisherWith(lingerMs: number): { publisher: EventPublisher; sent: PendingEvent[] } {
  const sent: PendingEvent[] = [];
  const publisher = new EventPublisher(
    async (ev) => void sent.push(ev),
    (err) => {
      throw err;
    },
    10_000,
    lingerMs,
  );
  return { publisher, sent };
}
const idsIn = (m: PendingEvent) => eventsOf(m.data).map((e) => (e as { id: string }).id);

describe(EventPublisher, () => {
  describe('publish', () => {
    it('given no linger, then the events of each tick go out after it, one message per tick', async () => {
      const { publisher, sent } = publisherWith(0);
      publisher.publish(event('a1'));
      publisher.publish(event('a2'));
      await nextTick();
      publisher.publish(event('b1'));
      await nextTick();
      expect(sent.map(idsIn)).toEqual([['a1', 'a2'], ['b1']]);
    });

    it('given a linger, then events of several ticks share one message, whose id is its first event\'s', async () => {
      const { publisher, sent } = publisherWith(10_000);
      publisher.publish(event('a1'));
      await nextTick();
      publisher.publish(event('a2'));
      await nextTick();
      publisher.publish(event('a3'));
      await nextTick();
      expect(sent).toEqual([]);
      expect(await publisher.flush(1000)).toBe(0);
      expect(sent.map((m) => [m.id, idsIn(m), m.count])).toEqual([['a1', ['a1', 'a2', 'a3'], 3]]);
    });

    it('given a prompt event during the linger, then it goes out at the end of its tick with the lingering ones', async () => {
      const { publisher, sent } = publisherWith(10_000);
      publisher.publish(event('a1'));
      await nextTick();
      publisher.publish(event('t1', 'cp.router.breaker-transitioned.v1'), true);
      await nextTick();
      expect(sent.map(idsIn)).toEqual([['a1'], ['t1']]);
      expect(publisher.snapshot()).toMatchObject({ published: 2, acked: 2, inFlight: 0 });
    });

    it('given events of two subjects, then each run of one subject is a message and the order is kept', async () => {
      const { publisher, sent } = publisherWith(0);
      for (const [id, subject] of [['a1', 'x'], ['a2', 'x'], ['b1', 'y'], ['a3', 'x']]) publisher.publish(event(id, subject));
      await nextTick();
      expect(sent.map((m) => [m.subject, idsIn(m)])).toEqual([['x', ['a1', 'a2']], ['y', ['b1']], ['x', ['a3']]]);
    });
  });

  describe('publishRecovered', () => {
    it('given journalled events with their message ids, then each message is rebuilt with the same id and events, and nothing new joins it', async () => {
      const { publisher, sent } = publisherWith(0);
      const journalled = [event('a1'), event('a2'), event('a3'), event('b1')].map((e, i) => ({ subject: e.subject, id: e.id, correlationId: e.correlationId!, data: e.data, batch: i < 3 ? 'a1' : 'b1' }));
      publisher.publishRecovered(journalled);
      publisher.publish(event('c1'));
      await nextTick();
      expect(sent.map((m) => [m.id, idsIn(m)])).toEqual([['a1', ['a1', 'a2', 'a3']], ['b1', ['b1']], ['c1', ['c1']]]);
    });
  });
});
