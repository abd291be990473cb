const INSTANCE_NAME = /^[a-z0-9][a-z0-9_-]{0,40}$/;
const RESERVED = new Set(['_sim', 'v1', 'v1beta', 'health']);

/** The instance that unprefixed provider paths address. */
export const DEFAULT_INSTANCE = 'default';

/** Whether a path segment can name a simulated provider instance. */
export function isValidInstanceName(name: string): boolean {
  return INSTANCE_NAME.test(name) && !RESERVED.has(name);
}
