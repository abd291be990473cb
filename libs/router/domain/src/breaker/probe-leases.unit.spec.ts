import { ProbeLeaseBook } from './probe-leases';

const KEY = 'qwen/qwen3-235b-a22b';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('ProbeLeaseBook', () => {
  it('Given no lease, When two replicas ask, Then the first holds the probe and the second is refused with the holder named', () => {
    const time = clock();
    const leases = new ProbeLeaseBook(5000, time.now);
    expect(leases.request(KEY, 'a')).toEqual({ granted: true, holder: 'a', until: 1_005_000 });
    expect(leases.request(KEY, 'b')).toEqual({ granted: false, holder: 'a', until: 1_005_000 });
  });

  it('Given a lease, When its holder asks again, Then it keeps the same lease, not a longer one', () => {
    const time = clock();
    const leases = new ProbeLeaseBook(5000, time.now);
    leases.request(KEY, 'a');
    time.advance(4000);
    expect(leases.request(KEY, 'a')).toEqual({ granted: true, holder: 'a', until: 1_005_000 });
  });

  it('Given a lease, When its time is up without an outcome, Then the next replica to ask gets it', () => {
    const time = clock();
    const leases = new ProbeLeaseBook(5000, time.now);
    leases.request(KEY, 'a');
    time.advance(5000);
    expect(leases.holderOf(KEY)).toBeUndefined();
    expect(leases.request(KEY, 'b')).toEqual({ granted: true, holder: 'b', until: 1_010_000 });
  });

  it('Given a lease, When its holder reports the outcome, Then it is released and another replica may probe the next open period', () => {
    const leases = new ProbeLeaseBook(5000, clock().now);
    leases.request(KEY, 'a');
    expect(leases.release(KEY, 'a')).toBe(true);
    expect(leases.request(KEY, 'b')).toMatchObject({ granted: true, holder: 'b' });
  });

  it('Given a lease, When another replica reports a transition, Then the lease stays with its holder', () => {
    const leases = new ProbeLeaseBook(5000, clock().now);
    leases.request(KEY, 'a');
    expect(leases.release(KEY, 'b')).toBe(false);
    expect(leases.request(KEY, 'b')).toMatchObject({ granted: false, holder: 'a' });
  });

  it('Given leases of two keys, When each is asked for, Then they are independent', () => {
    const leases = new ProbeLeaseBook(5000, clock().now);
    expect(leases.request(KEY, 'a').granted).toBe(true);
    expect(leases.request('openai/gpt-4o', 'b').granted).toBe(true);
    expect(leases.release(KEY)).toBe(true);
    expect(leases.holderOf('openai/gpt-4o')).toMatchObject({ holder: 'b' });
  });

  it('Given a lease time that is not a positive integer, When constructed, Then it refuses', () => {
    expect(() => new ProbeLeaseBook(0, Date.now)).toThrow(RangeError);
  });
});
