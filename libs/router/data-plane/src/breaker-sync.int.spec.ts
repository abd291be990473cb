import { BreakerBook, breakerKey } from '@cp/router/domain';
import { NatsBus } from '@cp/shared/messaging';
import { createLogger, trace } from '@cp/shared/telemetry';
import { dropIsolation, newIsolation } from '@cp/shared/testing';
import { BreakerSync, type PublishedTransition } from './breaker-sync';

const logger = createLogger('test', 'silent');

/** Two gateway replicas over a real NATS server, with an events linger far longer than the test. */
describe('BreakerSync over NATS', () => {
  const iso = newIsolation('breakersync');
  let buses: NatsBus[];
  const syncs: BreakerSync[] = [];

  beforeAll(async () => {
    const connect = (service: string) => NatsBus.connect({ servers: iso.natsUrl, service, namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test'), eventsLingerMs: 60_000 });
    buses = await Promise.all([connect('gateway-a'), connect('gateway-b')]);
    await buses[0].ensureEventStream();
  });

  afterEach(() => syncs.splice(0).forEach((sync) => sync.stop()));

  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close(1000)));
    await dropIsolation(iso);
  });

  describe('publish', () => {
    it('given a transition on one replica, then the other applies it at once: transitions skip the linger', async () => {
      const key = breakerKey('openai', 'gpt-4o');
      const [bookA, bookB] = [new BreakerBook({}, Date.now), new BreakerBook({}, Date.now)];
      let applied!: (t: PublishedTransition) => void;
      const seen = new Promise<PublishedTransition>((resolve) => (applied = resolve));
      // No auditor here: the restore from the store fails fast; only the live subscription matters.
      const b = new BreakerSync({ bus: buses[1], logger }, bookB, 'replica-b', (t) => applied(t));
      syncs.push(b);
      await b.start(100);
      await buses[1].ready();
      const a = new BreakerSync({ bus: buses[0], logger }, bookA, 'replica-a');
      a.publish({ type: 'breaker.opened', key, provider: 'openai', model: 'gpt-4o', at: Date.now(), consecutiveFailures: 3, reason: 'test' });
      let timer: NodeJS.Timeout | undefined;
      const got = await Promise.race([seen, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), 2000)))]);
      clearTimeout(timer);
      expect(got).toMatchObject({ key, type: 'breaker.opened', origin: 'replica-a' });
      expect(bookB.snapshot().find((s) => s.key === key)?.state).toBe('open');
    });
  });
});
