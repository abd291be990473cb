import { generateKeyPairSync } from 'node:crypto';
import { ChainWalker } from './chain-walker';
import { openCheckpoint, parsePublicKey, parseSigningKey, signCheckpoint } from './checkpoint-note';
import { chainHash, GENESIS_HASH, type StoredLink } from './hash-chain';

const link = (position: number, prev: string, payload: unknown = { n: position }): StoredLink => {
  const fields = { position, id: `00000000-0000-7000-8000-${String(position).padStart(12, '0')}`, type: 'gateway.request-completed', streamId: 'request:1', occurredAt: '2026-11-25T10:00:00.000Z', payload };
  return { ...fields, prevHash: prev, hash: chainHash(prev, fields) };
};

/** A chain of n links; from `rewriteFrom` on, payloads differ and every hash is recomputed consistently. */
const chain = (n: number, rewriteFrom = Infinity): StoredLink[] => {
  const out: StoredLink[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const l = link(i, prev, i >= rewriteFrom ? { n: i, forged: true } : { n: i });
    out.push(l);
    prev = l.hash;
  }
  return out;
};

const walk = (links: StoredLink[], anchors = [] as { size: number; hash: string; label: string }[]) => {
  const w = new ChainWalker(undefined, anchors);
  w.push(links);
  return w.finish();
};

describe('ChainWalker', () => {
  describe('push / finish', () => {
    it('given an intact chain, then there is no problem and the head is the last hash', () => {
      const links = chain(5);
      const w = new ChainWalker();
      expect(w.push(links.slice(0, 2)) && w.push(links.slice(2))).toBe(true);
      expect([w.finish(), w.position, w.headHash, w.checked]).toEqual([null, 5, links[4].hash, 5]);
    });

    it('given a payload changed after hashing, then it is event_edited at that position', () => {
      const links = chain(5);
      links[2] = { ...links[2], payload: { n: 999 } };
      expect(walk(links)).toMatchObject({ kind: 'event_edited', position: 3 });
    });

    it('given a row deleted from the middle, then it is events_missing at the gap', () => {
      const links = chain(4);
      links.splice(1, 1);
      expect(walk(links)).toMatchObject({ kind: 'events_missing', position: 2 });
    });

    it('given a row rehashed with a forged prev_hash, then it is link_broken', () => {
      const links = chain(3);
      links[1] = link(2, 'a'.repeat(64), { n: 2 });
      expect(walk(links)).toMatchObject({ kind: 'link_broken', position: 2 });
    });

    it('given the last rows deleted, then an anchor beyond the end names tail_deleted', () => {
      const links = chain(6);
      expect(walk(links.slice(0, 4), [{ size: 6, hash: links[5].hash, label: 'checkpoint 6' }])).toMatchObject({ kind: 'tail_deleted', position: 5 });
    });

    it('given the chain recomputed from position 4 on, then it is chain_rewritten after the last agreeing checkpoint', () => {
      const original = chain(8);
      const forged = chain(8, 4);
      const problem = walk(forged, [
        { size: 2, hash: original[1].hash, label: 'checkpoint 2' },
        { size: 6, hash: original[5].hash, label: 'checkpoint 6' },
      ]);
      expect(problem).toMatchObject({ kind: 'chain_rewritten', position: 3 });
      expect(problem?.message).toContain('at or before position 6');
    });

    it('given a start past genesis, then only the links after it are checked', () => {
      const links = chain(5);
      const w = new ChainWalker({ position: 3, hash: links[2].hash });
      w.push(links.slice(3));
      expect([w.finish(), w.checked]).toEqual([null, 2]);
    });
  });
});

describe('checkpoint notes', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const pubDer = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const cp = { origin: 'agent-control-plane/audit', size: 42, hash: 'ab'.repeat(32), time: '2026-12-02T05:40:00.000Z' };

  it('given a signed checkpoint, when opened with the public key, then it gives back the same checkpoint', () => {
    const note = signCheckpoint(cp, parseSigningKey(pem));
    expect(note.split('\n').slice(0, 5)).toEqual(['agent-control-plane/audit', '42', Buffer.from(cp.hash, 'hex').toString('base64'), `time ${cp.time}`, '']);
    expect(openCheckpoint(note, parsePublicKey(pubDer))).toEqual(cp);
  });

  it('given a note whose size was changed, or another key, then it does not open', () => {
    const note = signCheckpoint(cp, parseSigningKey(pem));
    expect(() => openCheckpoint(note.replace('\n42\n', '\n43\n'), parsePublicKey(pubDer))).toThrow('does not verify');
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(() => openCheckpoint(note, other)).toThrow('no signature by this public key');
  });

  it('given a key that is not Ed25519, then the error does not contain the key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => parseSigningKey(rsa)).toThrow('not an Ed25519 private key');
    let message = '';
    try {
      parseSigningKey('secret-material-xyz');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('not an Ed25519 private key');
    expect(message).not.toContain('secret-material-xyz');
  });
});
