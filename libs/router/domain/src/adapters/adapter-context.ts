import { randomUUID } from 'node:crypto';

/** Time and ids for the responses and chunks adapters build, injected so tests are deterministic. */
export interface AdapterContext {
  now: () => number;
  /** A fresh unique id (no prefix). */
  newId: () => string;
}

/** The real clock and random UUIDs; tests pass their own context. */
export const systemAdapterContext: AdapterContext = {
  now: () => Date.now(),
  newId: () => randomUUID().replace(/-/g, ''),
};

export function epochSeconds(ctx: AdapterContext): number {
  return Math.floor(ctx.now() / 1000);
}
