/** What went wrong with a provider call, from the router's point of view. */
export const PROVIDER_ERROR_CLASSES = [
  'timeout',
  'connection',
  'server',
  'rate_limited',
  'client',
  'auth',
  'payment',
  'not_found',
  'malformed_response',
] as const;
export type ProviderErrorClass = (typeof PROVIDER_ERROR_CLASSES)[number];

/**
 * Whether a failure of this class says something about the provider's health. Only these count
 * towards opening a circuit breaker: a bad request or an unknown model says nothing about the
 * provider. (A refused key, billing or access is handled as a misconfiguration instead: see
 * `decideMisconfigured` and the `misconfigured` flag of the classification.)
 */
export function countsForBreaker(errorClass: ProviderErrorClass): boolean {
  switch (errorClass) {
    case 'timeout':
    case 'connection':
    case 'server':
    case 'rate_limited':
    case 'malformed_response':
      return true;
    case 'client':
    case 'auth':
    case 'payment':
    case 'not_found':
      return false;
    default: {
      const unhandled: never = errorClass;
      throw new Error(`unhandled provider error class ${String(unhandled)}`);
    }
  }
}
