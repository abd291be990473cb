import { RouterProbeGrant } from '@cp/shared/contracts';
import { BusRequestError } from '@cp/shared/messaging';
import type { ServiceRuntime } from '@cp/shared/runtime';
import type { GrantAnswer, GrantAsker } from './probe-grants';

/**
 * Asks the router over NATS (`router.probe-grant`) with a short deadline: a grant is worth having
 * only while the provider is still worth probing, and a missing router must not delay recovery
 * for long. Every failure (timeout, no responders, an error reply) becomes `unavailable`.
 */
export function natsGrantAsker(rt: Pick<ServiceRuntime, 'bus'>, replica: string, timeoutMs: number): GrantAsker {
  return async (key): Promise<GrantAnswer> => {
    try {
      const reply = await rt.bus.request(RouterProbeGrant, { key, replica }, timeoutMs);
      if (!reply.ok) return { kind: 'unavailable', code: reply.error.code, message: reply.error.message };
      return { kind: reply.granted ? 'granted' : 'refused', holder: reply.holder, leaseMs: reply.leaseMs };
    } catch (err) {
      if (err instanceof BusRequestError) return { kind: 'unavailable', code: err.code, message: err.message };
      return { kind: 'unavailable', code: 'ROUTER.PROBE_GRANT_FAILED', message: err instanceof Error ? err.message : String(err) };
    }
  };
}
