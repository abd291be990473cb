import { BreakerBook, type ProbeGate } from './breaker-book';
import { type BreakerTransition, breakerKey } from './breaker-events';

const KEY = breakerKey('qwen', 'qwen3-235b-a22b');
const RESET = 1000;

function openBook(gate: ProbeGate) {
  let t = 1_000_000;
  const book = new BreakerBook({ resetMs: RESET }, () => t);
  const seen: BreakerTransition[] = [];
  book.onTransition((x) => seen.push(x));
  book.useProbeGate(gate);
  for (let i = 0; i < 3; i++) book.recordFailure(KEY, 'server');
  return { book, seen, advance: (ms: number) => (t += ms) };
}

/** A gate answering from a fixed decision, recording what it was asked. */
function fixedGate(allow: boolean) {
  const asked: { key: string; openedAt: number | undefined }[] = [];
  return { asked, gate: { mayProbe: (key: string, openedAt: number | undefined) => (asked.push({ key, openedAt }), allow) } };
}

describe('BreakerBook with a probe gate', () => {
  it('Given an open breaker before its reset time, When a request comes, Then it is refused without asking the gate', () => {
    const { asked, gate } = fixedGate(true);
    const { book } = openBook(gate);
    expect(book.admit(KEY)).toMatchObject({ admitted: false, state: 'open' });
    expect(asked).toEqual([]);
  });

  it('Given the reset time passed and the gate refuses, When requests come, Then they are skipped as open, nothing is published, and the breaker stays open', () => {
    const { asked, gate } = fixedGate(false);
    const { book, advance } = openBook(gate);
    advance(RESET);
    expect(book.admit(KEY)).toEqual({ admitted: false, state: 'open', probe: false, transitions: [], probeHeld: true });
    expect(book.admit(KEY)).toMatchObject({ admitted: false, probeHeld: true });
    expect(book.stateOf(KEY).status).toBe('open');
    expect(asked).toEqual([
      { key: KEY, openedAt: 1_000_000 },
      { key: KEY, openedAt: 1_000_000 },
    ]);
  });

  it('Given the reset time passed and the gate grants, When two requests come, Then the first is the single probe and the second is refused by the breaker itself', () => {
    const { asked, gate } = fixedGate(true);
    const { book, advance } = openBook(gate);
    advance(RESET);
    expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true, state: 'half_open', transitions: [{ type: 'breaker.half-opened' }] });
    expect(book.admit(KEY)).toMatchObject({ admitted: false, state: 'half_open' });
    expect(asked).toHaveLength(1);
  });

  it('Given a half-open breaker whose probe was released, When the next request would probe, Then the gate is asked again', () => {
    const { asked, gate } = fixedGate(true);
    const { book, advance } = openBook(gate);
    advance(RESET);
    book.admit(KEY);
    book.releaseProbe(KEY);
    expect(book.admit(KEY)).toMatchObject({ admitted: true, probe: true });
    expect(asked).toHaveLength(2);
  });

  it('Given a listener, When transitions are made locally or applied from another replica, Then it is told of each', () => {
    const { gate } = fixedGate(true);
    const { book, seen, advance } = openBook(gate);
    advance(RESET);
    book.apply({ type: 'breaker.closed', key: KEY, provider: 'qwen', model: 'qwen3-235b-a22b', at: 1_001_000, consecutiveFailures: 0, reason: 'probe succeeded' });
    expect(seen.map((t) => t.type)).toEqual(['breaker.opened', 'breaker.closed']);
  });
});
