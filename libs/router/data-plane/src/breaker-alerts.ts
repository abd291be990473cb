import type { BreakerTransition } from '@cp/router/domain';
import type { Logger } from '@cp/shared/telemetry';
import type { BreakerSync } from './breaker-sync';

/**
 * What a data-plane replica does with the transitions its own breakers make: log them and share
 * them with every other replica (and the store) through `BreakerSync`. A misconfigured provider
 * (rejected key, billing, access) needs an operator, so it is logged at `error` level: the alert.
 */
export function shareTransitions(logger: Logger, sync: BreakerSync, resetMs: number): (t: BreakerTransition) => void {
  return (t) => {
    if (t.misconfigured) logger.error({ breaker: t.key, provider: t.provider, reason: t.reason, skippedForMs: resetMs }, 'provider misconfigured: skipping it until the reset time, then probing');
    else logger.warn({ breaker: t.key, transition: t.type, reason: t.reason }, 'breaker transition');
    sync.publish(t);
  };
}
