import { z } from 'zod';
import { IsoInstant } from './envelope';
import { defineRpc, RpcError } from './rpc';

/** The capabilities a registry model declares and a probe can verify. */
export const CAPABILITY_NAMES = ['tools', 'vision', 'streaming', 'jsonMode'] as const;
export const CapabilityName = z.enum(CAPABILITY_NAMES);
export type CapabilityName = z.infer<typeof CapabilityName>;

/**
 * `declared`: the registry says so and no probe has checked it yet; `verified`: a probe against the
 * live provider saw it work; `failed`: the last probe did not; `unsupported`: not declared, not probed.
 */
export const CapabilityStatus = z.enum(['declared', 'verified', 'failed', 'unsupported']);
export type CapabilityStatus = z.infer<typeof CapabilityStatus>;

export const CapabilityCheck = z.object({
  declared: z.boolean(),
  status: CapabilityStatus,
  checkedAt: IsoInstant.optional(),
  /** Why a probe failed, or what it saw. */
  detail: z.string().optional(),
  latencyMs: z.number().nonnegative().optional(),
});
export type CapabilityCheck = z.infer<typeof CapabilityCheck>;

/** The plain completion every probe run starts with: `unchecked` until the first run. */
export const CompletionCheck = z.object({
  status: z.enum(['unchecked', 'verified', 'failed']),
  checkedAt: IsoInstant.optional(),
  detail: z.string().optional(),
  latencyMs: z.number().nonnegative().optional(),
});
export type CompletionCheck = z.infer<typeof CompletionCheck>;

export const CapabilityChecks = z.object({ tools: CapabilityCheck, vision: CapabilityCheck, streaming: CapabilityCheck, jsonMode: CapabilityCheck });
export type CapabilityChecks = z.infer<typeof CapabilityChecks>;

export const CatalogWire = z.enum(['openai', 'anthropic', 'gemini']);

/** What a probe run found for one model: shared by the matrix row and the `capability-probed` event. */
export const ModelChecks = z.object({
  provider: z.string(),
  model: z.string(),
  wire: CatalogWire,
  simulated: z.boolean(),
  completion: CompletionCheck,
  capabilities: CapabilityChecks,
});
export type ModelChecks = z.infer<typeof ModelChecks>;

/** This replica's circuit breaker for the model (replicas share transitions, so they agree). */
export const MatrixBreaker = z.object({
  state: z.enum(['closed', 'open', 'half_open']),
  consecutiveFailures: z.number().int().nonnegative(),
  openedAt: IsoInstant.optional(),
  /** Why it opened, while open or half-open. */
  reason: z.string().optional(),
  /** Opened because the provider refused the key, billing or access (401/402/403): needs an operator. */
  misconfigured: z.boolean().optional(),
});
export type MatrixBreaker = z.infer<typeof MatrixBreaker>;

/** One provider/model row of the compatibility matrix. */
export const MatrixEntry = ModelChecks.extend({
  /** `provider/model`, the name clients send. */
  id: z.string(),
  contextWindow: z.number().int().positive(),
  maxOutput: z.number().int().positive(),
  price: z.object({ currency: z.literal('USD'), inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() }),
  breaker: MatrixBreaker,
});
export type MatrixEntry = z.infer<typeof MatrixEntry>;

const Failure = z.object({ ok: z.literal(false), error: RpcError });

export const MatrixReply = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), generatedAt: IsoInstant, entries: z.array(MatrixEntry) }), Failure]);
export type MatrixReply = z.infer<typeof MatrixReply>;

export const CatalogModel = z.object({ provider: z.string(), model: z.string(), wire: CatalogWire, simulated: z.boolean() });
export type CatalogModel = z.infer<typeof CatalogModel>;

export const ModelsReply = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** Epoch seconds at which the router loaded its registry: the `created` of every listed model. */
    loadedAt: z.number().int().nonnegative(),
    models: z.array(CatalogModel),
    /** Route name -> ordered chain of `provider/model`. */
    routes: z.record(z.string(), z.array(z.string())),
  }),
  Failure,
]);
export type ModelsReply = z.infer<typeof ModelsReply>;

export const ProbeRequest = z.object({
  /** Correlates the probe events with whoever asked (the gateway's request id). */
  requestId: z.string().min(1).max(200).optional(),
  provider: z.string().min(1).max(100).optional(),
  model: z.string().min(1).max(200).optional(),
});
export type ProbeRequest = z.infer<typeof ProbeRequest>;

/** A reply as every catalog RPC answers an error (also the bus's reply to an unparseable request). */
export function catalogFailure(error: RpcError): { ok: false; error: RpcError } {
  return { ok: false, error };
}

/** Every model of the registry and the route names (`auto` resolves to one of them). */
export const RouterModels = defineRpc('router', 'models', 1, z.object({}).loose(), ModelsReply);
/** The compatibility matrix as last probed; probes nothing. */
export const RouterMatrix = defineRpc('router', 'matrix', 1, z.object({}).loose(), MatrixReply);
/** Probes now (every model, one provider's, or one model) and answers the whole matrix afterwards. */
export const RouterProbe = defineRpc('router', 'probe', 1, ProbeRequest, MatrixReply);
