import { BreakerBook, breakerKey } from '@cp/router/domain';
import { natsGrantAsker, ProbeGrants } from '@cp/router/data-plane';
import { NatsBus } from '@cp/shared/messaging';
import { createLogger, trace } from '@cp/shared/telemetry';
import { dropIsolation, newIsolation, waitFor } from '@cp/shared/testing';
import { ProbeGrantService } from './probe-grant-service';

const KEY = breakerKey('qwen', 'qwen3-235b-a22b');
const logger = createLogger('test', 'silent');

/** The router's probe grants and the gateways' asker over a real NATS server. */
describe('probe grants over NATS', () => {
  const iso = newIsolation('grants');
  let router: NatsBus;
  let gateway: NatsBus;
  let service: ProbeGrantService;

  beforeAll(async () => {
    const connect = (service: string) => NatsBus.connect({ servers: iso.natsUrl, service, namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test') });
    [router, gateway] = await Promise.all([connect('router'), connect('gateway')]);
    service = new ProbeGrantService({ bus: router, logger }, 10_000);
    service.start();
    await router.ready();
  });

  afterAll(async () => {
    await Promise.all([router.close(1000), gateway.close(1000)]);
    await dropIsolation(iso);
  });

  it('given two replicas ask for the same key at once, then one holds the probe and the other is refused with the holder named; the outcome frees it', async () => {
    const [a, b] = await Promise.all([natsGrantAsker({ bus: gateway }, 'replica-a', 1000)(KEY), natsGrantAsker({ bus: gateway }, 'replica-b', 1000)(KEY)]);
    const kinds = [a.kind, b.kind].sort();
    expect(kinds).toEqual(['granted', 'refused']);
    const holder = a.kind === 'granted' ? 'replica-a' : 'replica-b';
    const loser = holder === 'replica-a' ? 'replica-b' : 'replica-a';
    expect(a).toMatchObject({ holder });
    expect(b).toMatchObject({ holder });

    // The holder's failed probe reopens the breaker: the next open period may go to anyone.
    service.onTransition({ type: 'breaker.opened', key: KEY, provider: 'qwen', model: 'qwen3-235b-a22b', at: Date.now(), consecutiveFailures: 4, reason: 'probe failed (server)', origin: holder });
    expect(await natsGrantAsker({ bus: gateway }, loser, 1000)(KEY)).toMatchObject({ kind: 'granted', holder: loser });
  });

  it('given two replicas with the same open breaker past its reset time, then only one of them lets the probe through', async () => {
    const key = breakerKey('openai', 'gpt-4o');
    const books = [new BreakerBook({ resetMs: 1 }, Date.now), new BreakerBook({ resetMs: 1 }, Date.now)];
    const gates = books.map((book, i) => new ProbeGrants(book, natsGrantAsker({ bus: gateway }, `book-${i}`, 1000), logger));
    const opened = { type: 'breaker.opened' as const, key, provider: 'openai', model: 'gpt-4o', at: Date.now() - 10, consecutiveFailures: 3, reason: 'test' };
    books.forEach((book) => book.apply(opened));
    // Each book asked when it applied the transition (its reset time had passed): wait for both answers.
    await waitFor('both answers', async () => (gates.every((g) => ['granted', 'refused'].includes(g.snapshot()[key] ?? '')) ? true : undefined));
    const admitted = books.map((book) => book.admit(key).admitted);
    expect(admitted.filter(Boolean)).toHaveLength(1);
    gates.forEach((g) => g.stop());
  });

  it('given no router listens, then the asker answers unavailable at once instead of waiting', async () => {
    await router.close(1000);
    expect(await natsGrantAsker({ bus: gateway }, 'replica-a', 1000)('glm/glm-4.6')).toMatchObject({ kind: 'unavailable', code: 'BUS.NO_RESPONDERS' });
  });
});
