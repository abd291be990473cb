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
    const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
    if (!match) return 'missing';
    const presented = digest(match[1]);
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, presented) || ok;
    return ok ? 'ok' : 'invalid';
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
