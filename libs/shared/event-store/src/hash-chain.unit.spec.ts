import { chainHash, GENESIS_HASH, type StoredLink } from './hash-chain';

export const link = (position: number, prev: string, payload: unknown = { n: position }): StoredLink => {
  const fields = { position, id: `00000000-0000-7000-8000-00000000000${position}`, type: 'gateway.request-completed', streamId: 'request:1', occurredAt: '2026-11-25T10:00:00.000Z', payload };
  return { ...fields, prevHash: prev, hash: chainHash(prev, fields) };
};

export const chain = (n: number): StoredLink[] => {
  const out: StoredLink[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const l = link(i, prev);
    out.push(l);
    prev = l.hash;
  }
  return out;
};

describe('chainHash', () => {
  it('given the same payload with keys in another order, then the hash is the same (canonical JSON)', () => {
    const a = link(1, GENESIS_HASH, { a: 1, b: { c: 2, d: 3 } });
    const b = link(1, GENESIS_HASH, { b: { d: 3, c: 2 }, a: 1 });
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('given a different previous hash, then the hash differs', () => {
    expect(link(1, GENESIS_HASH).hash).not.toBe(link(1, 'f'.repeat(64)).hash);
  });
});
