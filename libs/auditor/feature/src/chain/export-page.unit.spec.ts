import type { StoredEvent } from '@cp/shared/event-store';
import { replayPage } from './export-page';

const event = (position: number, bytes: number): StoredEvent => ({ position, id: `e${position}`, streamId: 's', type: 't', version: 1, occurredAt: '2026-12-02T00:00:00.000Z', correlationId: 'c', payload: { text: 'x'.repeat(bytes) }, hash: 'h' });

describe('replayPage', () => {
  it('given events far over the byte budget, then the page is cut there, says more, and never carries a hash', () => {
    const page = replayPage([1, 2, 3, 4].map((p) => event(p, 200 * 1024)), 1000);
    expect(page.events.map((e) => e.position)).toEqual([1, 2]);
    expect(page.more).toBe(true);
    expect(page.events[0]).not.toHaveProperty('hash');
  });

  it('given one event larger than the budget, then it is still sent alone', () => {
    expect(replayPage([event(7, 900 * 1024), event(8, 10)], 1000).events.map((e) => e.position)).toEqual([7]);
  });

  it('given a short page, then there is no more; given a full one, then there may be', () => {
    expect(replayPage([event(1, 10), event(2, 10)], 5).more).toBe(false);
    expect(replayPage([event(1, 10), event(2, 10)], 2).more).toBe(true);
  });
});
