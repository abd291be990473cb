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
 * Whether a failure of this class says something about the provider's health. Only these move a
 * circuit breaker: a bad request, a wrong key or an unknown model would fail on every attempt,
 * and opening the breaker would hide the real cause.
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
