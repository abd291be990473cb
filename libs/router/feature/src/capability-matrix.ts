import type { CatalogModel, MatrixBreaker, ModelChecks, MatrixEntry, ModelsReply, ProbeRequest, RpcError } from '@cp/shared/contracts';
import { breakerKey, formatModelRef, INITIAL_BREAKER_STATE, resolveModelName, type BreakerState, type ModelSpec, type ProviderRegistry, type ResolvedProvider } from '@cp/router/domain';
import { unprobedCheck, type ModelProbe } from './capability-prober';

/** One model to probe, with what is needed to call it. */
export interface ProbeTarget {
  key: string;
  provider: ResolvedProvider;
  model: ModelSpec;
}

/** A breaker as the matrix shows it: state, count, and while open why and since when. */
export function matrixBreaker(state: BreakerState): MatrixBreaker {
  return {
    state: state.status,
    consecutiveFailures: state.consecutiveFailures,
    ...(state.status !== 'closed' && state.openedAt !== undefined ? { openedAt: new Date(state.openedAt).toISOString() } : {}),
    ...(state.status !== 'closed' && state.reason !== undefined ? { reason: state.reason } : {}),
    ...(state.status !== 'closed' && state.misconfigured ? { misconfigured: true } : {}),
  };
}

/**
 * A matrix row: the registry's declaration, overlaid with the last probe of that model when there
 * is one, and the model's breaker.
 */
export function matrixEntry(provider: ResolvedProvider, model: ModelSpec, probe: ModelProbe | undefined, breaker: BreakerState = INITIAL_BREAKER_STATE): MatrixEntry {
  const c = model.capabilities;
  return {
    id: formatModelRef({ provider: provider.id, model: model.id }),
    provider: provider.id,
    model: model.id,
    wire: provider.wire,
    simulated: provider.simulated,
    completion: probe?.completion ?? { status: 'unchecked' },
    capabilities: probe?.capabilities ?? { tools: unprobedCheck(c.tools), vision: unprobedCheck(c.vision), streaming: unprobedCheck(c.streaming), jsonMode: unprobedCheck(c.jsonMode) },
    contextWindow: model.contextWindow,
    maxOutput: model.maxOutput,
    price: { currency: 'USD', inputPerMTok: model.pricePerMTok.input, outputPerMTok: model.pricePerMTok.output },
    breaker: matrixBreaker(breaker),
  };
}

/** Every model in file order, each with its last probe and its breaker (looked up by `provider/model`). */
export function matrixEntries(registry: ProviderRegistry, probes: ReadonlyMap<string, ModelProbe>, breakers: (key: string) => BreakerState = () => INITIAL_BREAKER_STATE): MatrixEntry[] {
  return registry.providers.flatMap((p) =>
    p.models.map((m) => {
      const key = breakerKey(p.id, m.id);
      return matrixEntry(p, m, probes.get(key), breakers(key));
    }),
  );
}

/** The registry's models and routes, without anything secret (no base URLs, no key variables). */
export function modelsReply(registry: ProviderRegistry, loadedAt: number): Extract<ModelsReply, { ok: true }> {
  const models: CatalogModel[] = registry.providers.flatMap((p) => p.models.map((m) => ({ provider: p.id, model: m.id, wire: p.wire, simulated: p.simulated })));
  const routes = Object.fromEntries(Object.entries(registry.routes).map(([name, chain]) => [name, chain.map(formatModelRef)]));
  return { ok: true, loadedAt, models, routes };
}

/**
 * The models a probe request names: all, one provider's, or one model (`model` alone may be
 * `provider/model` or a bare id, as clients write it). An unknown name is a 404.
 */
export function selectProbeTargets(registry: ProviderRegistry, req: Pick<ProbeRequest, 'provider' | 'model'>): ProbeTarget[] | RpcError {
  let { provider, model } = req;
  if (model !== undefined && provider === undefined) {
    const ref = resolveModelName(registry, model);
    if (!ref) return notFound(`unknown model "${model}"`);
    ({ provider, model } = ref);
  }
  const providers = provider === undefined ? registry.providers : registry.providers.filter((p) => p.id === provider);
  if (providers.length === 0) return notFound(`unknown provider "${provider}"`);
  const targets = providers.flatMap((p) => p.models.filter((m) => model === undefined || m.id === model).map((m) => ({ key: breakerKey(p.id, m.id), provider: p, model: m })));
  if (targets.length === 0) return notFound(`provider "${provider}" declares no model "${model}"`);
  return targets;
}

function notFound(message: string): RpcError {
  return { status: 404, code: 'ROUTER.UNKNOWN_MODEL', type: 'invalid_request_error', message };
}

/** When a probe last ran: the latest `checkedAt` among its checks (ISO instants compare as strings). */
export function probedAt(probe: ModelProbe): string {
  const instants = [probe.completion.checkedAt, ...Object.values(probe.capabilities).map((c) => c.checkedAt)].filter((t): t is string => t !== undefined);
  return instants.reduce((latest, t) => (t > latest ? t : latest), '');
}

/** A result from another replica (or our own echo) replaces ours only when it is newer. */
export function isNewerProbe(candidate: ModelProbe, current: ModelProbe | undefined): boolean {
  return current === undefined || probedAt(candidate) > probedAt(current);
}

/**
 * A probe published earlier (by another replica, or before a restart) still describes the model only
 * if the registry has not changed what was probed since: same provider and model, same wire, still
 * simulated or still real, and the same declared capabilities. Otherwise it is dropped and the row
 * shows the current declaration until the next probe.
 */
export function probeFor(registry: ProviderRegistry, published: ModelChecks): ModelProbe | undefined {
  const provider = registry.providers.find((p) => p.id === published.provider);
  const model = provider?.models.find((m) => m.id === published.model);
  if (!provider || !model || provider.wire !== published.wire || provider.simulated !== published.simulated) return undefined;
  const sameDeclaration = (Object.keys(published.capabilities) as (keyof ModelProbe['capabilities'])[]).every((c) => published.capabilities[c].declared === model.capabilities[c]);
  return sameDeclaration ? { completion: published.completion, capabilities: published.capabilities } : undefined;
}
