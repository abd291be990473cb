import type { InstanceRegistry } from './instances';

/** What request handlers share: the instances, the bind host, and the injected clock and id source. */
export interface SimContext {
  readonly host: string;
  readonly registry: InstanceRegistry;
  readonly nextId: () => string;
  readonly nowSeconds: () => number;
}
