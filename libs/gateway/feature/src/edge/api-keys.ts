import { createHash, timingSafeEqual } from 'node:crypto';

export type KeyCheck = 'ok' | 'missing' | 'invalid';

/**
 * The bearer keys of `CP_GATEWAY_KEYS`, compared in constant time over their SHA-256 digests (the
 * same length whatever was presented), every configured key compared on every check.
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  check(authorization: string | undefined): KeyCheck {
    return this.identify(authorization).check;
  }

  /** The check, and for a valid key its id: the first 12 hex digits of its SHA-256 (never the key). */
  identify(authorization: string | undefined): { check: KeyCheck; keyId?: string } {
    const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
    if (!match) return { check: 'missing' };
    const presented = digest(match[1]);
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, presented) || ok;
    return ok ? { check: 'ok', keyId: presented.toString('hex', 0, 6) } : { check: 'invalid' };
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
