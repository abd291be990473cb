import { BreakerBook } from './breaker-book';
import { type BreakerTransition, BreakerTransitionSchema, breakerKey } from './breaker-events';

const KEY = breakerKey('qwen', 'qwen3-235b-a22b');
const RESET = 300_000;

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function openBook() {
  const time = clock();
  const book = new BreakerBook({}, time.now);
  const transitions: BreakerTransition[] = [];
  for (let i = 0; i < 3; i++) transitions.push(...book.recordFailure(KEY, 'timeout'));
  return { time, book, transitions };
}

describe('BreakerBook', () => {
  describe('recordFailure', () => {
    it('Given a closed breaker, When two timeouts are recorded, Then it stays closed and admits', () => {
      const time = clock();
      const book = new BreakerBook({}, time.now);
      expect([...book.recordFailure(KEY, 'timeout'), ...book.recordFailure(KEY, 'server')]).toEqual([]);
      expect(book.admit(KEY)).toEqual({ admitted: true, state: 'closed', probe: false, transitions: [] });
      expect(book.stateOf(KEY).consecutiveFailures).toBe(2);
    });

    it('Given two counted failures, When the third arrives, Then the breaker opens with a breaker.opened transition', () => {
      const { transitions, book } = openBook();
      expect(transitions).toEqual([
        { type: 'breaker.opened', key: KEY, provider: 'qwen', model: 'qwen3-235b-a22b', at: 1_000_000, consecutiveFailures: 3, reason: '3 consecutive failures (last: timeout)' },
      ]);
      expect(book.admit(KEY)).toMatchObject({ admitted: false, state: 'open' });
    });

    it('Given 400 and 401 errors, When recorded many times, Then they never count toward the breaker', () => {
      const book = new BreakerBook({}, clock().now);
      for (let i = 0; i < 5; i++) {
        expect(book.recordFailure(KEY, 'client')).toEqual([]);
        expect(book.recordFailure(KEY, 'auth')).toEqual([]);
      }
      expect(book.stateOf(KEY)).toMatchObject({ status: 'closed', consecutiveFailures: 0 });
    });

    it('Given two failures then a success, When a third failure arrives, Then the count restarted and the breaker stays closed', () => {
      const book = new BreakerBook({}, clock().now);
      book.recordFailure(KEY, 'server');
      book.recordFailure(KEY, 'server');
      book.recordSuccess(KEY);
      expect(book.recordFailure(KEY, 'server')).toEqual([]);
      expect(book.stateOf(KEY)).toMatchObject({ status: 'closed', consecutiveFailures: 1 });
    });

    it('Given a threshold of 5, When 3 failures arrive, Then it stays closed', () => {
      const book = new BreakerBook({ failureThreshold: 5 }, clock().now);
      for (let i = 0; i < 3; i++) book.recordFailure(KEY, 'connection');
      expect(book.stateOf(KEY).status).toBe('closed');
    });
  });

  describe('recordMisconfigured', () => {
    it('Given a closed breaker, When the provider rejects its key, Then it opens at once, marked misconfigured, and refuses requests', () => {
      const time = clock();
      const book = new BreakerBook({}, time.now);
      const transitions = book.recordMisconfigured(KEY, 'HTTP 401: key rejected');
      expect(transitions).toEqual([
        { type: 'breaker.opened', key: KEY, provider: 'qwen', model: 'qwen3-235b-a22b', at: 1_000_000, consecutiveFailures: 1, reason: 'provider misconfigured: HTTP 401: key rejected', misconfigured: true },
      ]);
      expect(BreakerTransitionSchema.parse(transitions[0])).toEqual(transitions[0]);
      expect(book.admit(KEY)).toMatchObject({ admitted: false, state: 'open' });
      // The snapshot says why, also while the probe is out; closing forgets it.
      time.advance(RESET);
      book.admit(KEY);
      expect(book.snapshot()[0]).toMatchObject({ state: 'half_open', reason: 'provider misconfigured: HTTP 401: key rejected', misconfigured: true });
      book.recordSuccess(KEY);
      expect(book.snapshot()[0].reason).toBeUndefined();
      expect(book.snapshot()[0].misconfigured).toBeUndefined();
    });

    it('Given refusals that only count (a 403), When two arrive, Then it stays closed; a success resets them; the third in a row opens it marked misconfigured', () => {
      const time = clock();
      const book = new BreakerBook({}, time.now);
      expect([...book.recordMisconfigured(KEY, 'HTTP 403: access denied', false), ...book.recordMisconfigured(KEY, 'HTTP 403: access denied', false)]).toEqual([]);
      book.recordSuccess(KEY);
      expect(book.stateOf(KEY).consecutiveFailures).toBe(0);
      for (let i = 0; i < 2; i++) expect(book.recordMisconfigured(KEY, 'HTTP 403: access denied', false)).toEqual([]);
      expect(book.admit(KEY).admitted).toBe(true);
      expect(book.recordMisconfigured(KEY, 'HTTP 403: access denied', false)).toMatchObject([{ type: 'breaker.opened', consecutiveFailures: 3, misconfigured: true, reason: 'provider misconfigured: HTTP 403: access denied' }]);
    });

    it('Given an open breaker, When marked again, Then nothing changes; after the reset a probe meeting the 401 again reopens it', () => {
      const { time, book } = openBook();
      expect(book.recordMisconfigured(KEY, 'HTTP 401: key rejected')).toEqual([]);
      time.advance(RESET);
      expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true, state: 'half_open' });
      expect(book.recordMisconfigured(KEY, 'HTTP 401: key rejected')).toMatchObject([{ type: 'breaker.opened', misconfigured: true }]);
      expect(book.admit(KEY).admitted).toBe(false);
    });
  });

  describe('admit', () => {
    it('Given an open breaker, When the reset period has not elapsed, Then requests are refused', () => {
      const { time, book } = openBook();
      time.advance(RESET - 1);
      expect(book.admit(KEY)).toEqual({ admitted: false, state: 'open', probe: false, transitions: [] });
    });

    it('Given an open breaker after the reset period, When two requests arrive, Then exactly one probe goes through', () => {
      const { time, book } = openBook();
      time.advance(RESET);
      const first = book.admit(KEY);
      const second = book.admit(KEY);
      expect(first).toMatchObject({ admitted: true, state: 'half_open', probe: true });
      expect(first.transitions).toEqual([expect.objectContaining({ type: 'breaker.half-opened', at: 1_300_000, consecutiveFailures: 3 })]);
      expect(second).toEqual({ admitted: false, state: 'half_open', probe: false, transitions: [] });
    });

    it('Given a probe whose result was lost, When the probe lease expires, Then the next request becomes the probe', () => {
      const { time, book } = openBook();
      time.advance(RESET);
      book.admit(KEY);
      time.advance(120_000);
      expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true, transitions: [] });
    });
  });

  describe('half-open outcome', () => {
    it('Given the probe succeeds, When recorded, Then the breaker closes and admits everyone', () => {
      const { time, book } = openBook();
      time.advance(RESET);
      book.admit(KEY);
      time.advance(250);
      expect(book.recordSuccess(KEY)).toEqual([expect.objectContaining({ type: 'breaker.closed', at: 1_300_250, consecutiveFailures: 0, reason: 'probe succeeded' })]);
      expect(book.admit(KEY)).toMatchObject({ admitted: true, state: 'closed' });
      expect(book.admit(KEY)).toMatchObject({ admitted: true, state: 'closed' });
    });

    it('Given the probe fails, When recorded, Then the breaker re-opens with a new openedAt and waits a full reset again', () => {
      const { time, book } = openBook();
      time.advance(RESET);
      book.admit(KEY);
      time.advance(500);
      expect(book.recordFailure(KEY, 'server')).toEqual([expect.objectContaining({ type: 'breaker.opened', at: 1_300_500, reason: 'probe failed (server)' })]);
      expect(book.stateOf(KEY)).toMatchObject({ status: 'open', openedAt: 1_300_500, probeInFlight: false });
      time.advance(RESET - 1);
      expect(book.admit(KEY).admitted).toBe(false);
      time.advance(1);
      expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true });
    });

    it('Given the probe is rejected with a 400, When recorded, Then the probe slot is released but the breaker stays half-open', () => {
      const { time, book } = openBook();
      time.advance(RESET);
      book.admit(KEY);
      expect(book.recordFailure(KEY, 'client')).toEqual([]);
      expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true, state: 'half_open' });
    });

    it('Given the probe was cancelled, When releaseProbe is called, Then another request may probe', () => {
      const { time, book } = openBook();
      time.advance(RESET);
      book.admit(KEY);
      book.releaseProbe(KEY);
      expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true });
    });
  });

  describe('apply', () => {
    it('Given the transitions of a full cycle, When replayed into a fresh book, Then its state equals the original at every step', () => {
      const { time, book, transitions } = openBook();
      const late = book.recordFailure(KEY, 'timeout'); // a late failure while open: no transition
      const replica = new BreakerBook({}, time.now);
      const replayAndCompare = (transitions: BreakerTransition[]) => {
        transitions.forEach((t) => replica.apply(BreakerTransitionSchema.parse(JSON.parse(JSON.stringify(t)))));
        expect(replica.snapshot()).toEqual(book.snapshot());
      };
      replayAndCompare(transitions);
      time.advance(RESET);
      replayAndCompare(book.admit(KEY).transitions);
      replayAndCompare(book.recordFailure(KEY, 'malformed_response'));
      time.advance(RESET);
      replayAndCompare(book.admit(KEY).transitions);
      replayAndCompare(book.recordSuccess(KEY));
      expect(late).toEqual([]);
      expect(replica.snapshot()).toEqual([{ key: KEY, provider: 'qwen', model: 'qwen3-235b-a22b', state: 'closed', consecutiveFailures: 0, probeInFlight: false }]);
    });

    it('Given a replica saw another replica half-open the breaker, When a request arrives, Then it is refused while that probe is in flight', () => {
      const { time, book, transitions } = openBook();
      const replica = new BreakerBook({}, time.now);
      transitions.forEach((t) => replica.apply(t));
      time.advance(RESET);
      book.admit(KEY).transitions.forEach((t) => replica.apply(t));
      expect(replica.admit(KEY)).toMatchObject({ admitted: false, state: 'half_open' });
    });

    it('Given a transition older than the last one applied, When applied, Then it is ignored', () => {
      const book = new BreakerBook({}, clock().now);
      const base = { key: KEY, provider: 'qwen', model: 'qwen3-235b-a22b', consecutiveFailures: 3, reason: 'x' };
      book.apply({ ...base, type: 'breaker.closed', at: 2000, consecutiveFailures: 0 });
      book.apply({ ...base, type: 'breaker.opened', at: 1000 });
      book.apply({ ...base, type: 'breaker.half-opened', at: 1500 });
      expect(book.stateOf(KEY).status).toBe('closed');
    });

    it('Given a breaker closed by its probe, When the echo of the earlier half-open arrives, Then it stays closed', () => {
      const { time, book } = openBook();
      time.advance(RESET);
      const [halfOpened] = book.admit(KEY).transitions;
      time.advance(10);
      book.recordSuccess(KEY);
      book.apply(halfOpened);
      expect(book.admit(KEY)).toMatchObject({ admitted: true, state: 'closed' });
    });
  });

  describe('snapshot', () => {
    it('Given breakers for two keys, When snapshotted, Then both appear sorted by key with their state', () => {
      const { book } = openBook();
      book.recordFailure(breakerKey('gemini', 'gemini-2.5-pro'), 'server');
      expect(book.snapshot().map((s) => [s.key, s.state, s.consecutiveFailures])).toEqual([
        ['gemini/gemini-2.5-pro', 'closed', 1],
        [KEY, 'open', 3],
      ]);
      expect(book.statuses()).toEqual({ [KEY]: 'open', 'gemini/gemini-2.5-pro': 'closed' });
    });
  });
});
