import { BreakerBook, breakerKey } from '@cp/router/domain';
import { ProbeGrants, type GrantAnswer } from './probe-grants';

const KEY = breakerKey('qwen', 'qwen3-235b-a22b');
const RESET = 1000;
const quiet = { info: () => undefined, warn: () => undefined };

/** A book whose breaker is open, a gate whose router answers what the test queues, and a clock both share. */
function setup(answers: GrantAnswer[]) {
  let t = 1_000_000;
  const now = () => t;
  const book = new BreakerBook({ resetMs: RESET }, now);
  const asked: string[] = [];
  const grants = new ProbeGrants(book, async (key) => (asked.push(key), answers.shift() ?? { kind: 'unavailable', code: 'BUS.TIMEOUT', message: 'none queued' }), quiet, now);
  for (let i = 0; i < 3; i++) book.recordFailure(KEY, 'server');
  return { book, grants, asked, advance: (ms: number) => (t += ms) };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ProbeGrants', () => {
  afterEach(() => jest.useRealTimers());

  it('Given an open breaker, When its reset time comes, Then it asks the router once, and with the grant the next request is the probe', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { book, grants, asked, advance } = setup([{ kind: 'granted', holder: 'a', leaseMs: 5000 }]);
    advance(RESET);
    jest.advanceTimersByTime(RESET);
    await flush();
    expect(asked).toEqual([KEY]);
    expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true });
    grants.stop();
  });

  it('Given the router refuses, When requests come within the lease, Then they are skipped and the router is not asked again', async () => {
    const { book, grants, asked, advance } = setup([{ kind: 'refused', holder: 'b', leaseMs: 5000 }]);
    advance(RESET);
    expect(book.admit(KEY)).toMatchObject({ admitted: false, probeHeld: true });
    await flush();
    expect(book.admit(KEY)).toMatchObject({ admitted: false, probeHeld: true });
    expect(asked).toEqual([KEY]);
    expect(grants.snapshot()).toEqual({ [KEY]: 'refused' });
    grants.stop();
  });

  it('Given a refused lease that ran out without an outcome, When a request comes, Then it asks again and may probe once granted', async () => {
    const { book, grants, asked, advance } = setup([
      { kind: 'refused', holder: 'b', leaseMs: 5000 },
      { kind: 'granted', holder: 'a', leaseMs: 5000 },
    ]);
    advance(RESET);
    book.admit(KEY);
    await flush();
    advance(5000);
    expect(book.admit(KEY)).toMatchObject({ admitted: false, probeHeld: true });
    await flush();
    expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true });
    expect(asked).toEqual([KEY, KEY]);
    grants.stop();
  });

  it('Given the router does not answer, When the answer is in, Then this replica probes on its own', async () => {
    const { book, grants, advance } = setup([{ kind: 'unavailable', code: 'BUS.NO_RESPONDERS', message: 'no router' }]);
    advance(RESET);
    expect(book.admit(KEY)).toMatchObject({ admitted: false, probeHeld: true });
    await flush();
    expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true });
    expect(grants.snapshot()).toEqual({ [KEY]: 'alone' });
    grants.stop();
  });

  it('Given a grant for one open period, When the probe fails and the breaker reopens, Then the old grant does not let the next period probe', async () => {
    const { book, grants, asked, advance } = setup([
      { kind: 'granted', holder: 'a', leaseMs: 60_000 },
      { kind: 'refused', holder: 'b', leaseMs: 60_000 },
    ]);
    advance(RESET);
    book.admit(KEY);
    await flush();
    expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true });
    book.recordFailure(KEY, 'server');
    advance(RESET);
    expect(book.admit(KEY)).toMatchObject({ admitted: false, probeHeld: true });
    await flush();
    expect(book.admit(KEY)).toMatchObject({ admitted: false, probeHeld: true });
    expect(asked).toEqual([KEY, KEY]);
    grants.stop();
  });

  it('Given a pending request, When the breaker closes before the answer, Then the late answer is dropped', async () => {
    const { book, grants, advance } = setup([{ kind: 'granted', holder: 'a', leaseMs: 5000 }]);
    advance(RESET);
    book.admit(KEY);
    book.apply({ type: 'breaker.closed', key: KEY, provider: 'qwen', model: 'qwen3-235b-a22b', at: 1_001_000, consecutiveFailures: 0, reason: 'probe succeeded elsewhere' });
    await flush();
    expect(grants.snapshot()).toEqual({});
    expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: false, state: 'closed' });
    grants.stop();
  });
});
