import { z } from 'zod';
import { defineEvent } from './envelope';
import { ModelChecks } from './router-catalog.rpc';

/** A circuit breaker changed state (opened, half-opened, closed); replicas and restarts replay these. */
export const BreakerTransitioned = defineEvent(
  'router.breaker-transitioned',
  1,
  z.object({
    type: z.enum(['breaker.opened', 'breaker.half-opened', 'breaker.closed']),
    key: z.string(),
    provider: z.string(),
    model: z.string(),
    at: z.number(),
    consecutiveFailures: z.number().int().nonnegative(),
    reason: z.string(),
    /** Opened because the provider rejected its key or billing (401/402/403): an alert for operators. */
    misconfigured: z.boolean().optional(),
    /** The router replica that made the transition; replicas skip their own when applying. */
    origin: z.string().optional(),
  }),
);

/**
 * One model was probed against its live provider: the plain completion and every declared
 * capability, each `verified` or `failed` (undeclared ones stay `unsupported`). Router replicas
 * apply each other's results; the ledger keeps the history.
 */
export const CapabilityProbed = defineEvent(
  'router.capability-probed',
  1,
  ModelChecks.extend({
    /** One id per probe run; every model probed in that run carries it. */
    runId: z.string(),
    /** What started the run: `rpc` (router.probe) or `boot` (`CP_PROBE_ON_BOOT`). */
    trigger: z.enum(['rpc', 'boot']),
    key: z.string(),
  }),
);

/**
 * The router published a version of the provider registry (the YAML text as validated): every
 * gateway replica validates it again and serves with it; the newest one in the store is the last
 * good registry, used by a process whose own file is unreadable or invalid.
 */
export const RegistryPublished = defineEvent(
  'router.registry-published',
  1,
  z.object({ version: z.string(), yaml: z.string().max(1024 * 1024), file: z.string() }),
);

/** The registry file changed and was refused (invalid, truncated or empty): the last good version is kept. */
export const RegistryRejected = defineEvent('router.registry-rejected', 1, z.object({ file: z.string(), reason: z.string(), keptVersion: z.string().nullable() }));
