import type { ProviderAttempt, ShapingOrder } from '@cp/shared/contracts';
import { findModel, findProvider, formatModelRef, type ModelRef, type ModelSpec, type ProviderRegistry, type ResolvedProvider, type RouteDecision } from '@cp/router/domain';
import { DEFAULT_SHAPING, orderByFit, RequestShaper, type ContextLengthExceededError, type ShapingTarget } from '@cp/shaping/domain';
import type { ChatCompletionRequest } from '@cp/shared/contracts';
import type { CompletionError } from './completion-result';

/** The registry's view of a candidate, as shaping needs it. */
export function shapingTarget(provider: ResolvedProvider, model: ModelSpec): ShapingTarget {
  return { provider: provider.id, model: model.id, wire: provider.wire, contextWindow: model.contextWindow, maxOutput: model.maxOutput };
}

/**
 * Shaping's part of the walk, set up once per request: the shaper (what it measured is kept for
 * every candidate) and the candidates ordered by fit. A client that named a model keeps it first.
 */
export function startShaping(request: ChatCompletionRequest, route: RouteDecision, registry: ProviderRegistry): { shaper: RequestShaper; candidates: ModelRef[]; order?: ShapingOrder } {
  const shaper = new RequestShaper(request, registry.shaping ?? DEFAULT_SHAPING);
  const explicit = route.requested !== 'auto' && !(route.requested in registry.routes);
  const fits = new Map<ModelRef, boolean>();
  const fitsWhole = (ref: ModelRef) => {
    const provider = findProvider(registry, ref.provider);
    const model = findModel(registry, ref);
    const fit = !provider || !model || shaper.fitsWhole(shapingTarget(provider, model));
    fits.set(ref, fit);
    return fit;
  };
  const { ordered, reordered } = orderByFit(route.candidates, fitsWhole, explicit);
  if (!reordered) return { shaper, candidates: ordered };
  const fitsWholeRefs = ordered.filter((ref) => fits.get(ref) === true).map(formatModelRef);
  return { shaper, candidates: ordered, order: { reordered: true, fitsWhole: fitsWholeRefs } };
}

/** The attempt of a candidate the request cannot fit even shaped: skipped without a call. */
export function tooLongAttempt(ref: ModelRef, error: ContextLengthExceededError, shaping: ProviderAttempt['shaping']): ProviderAttempt {
  return { provider: ref.provider, model: ref.model, outcome: 'skipped', errorClass: error.code, message: error.message, latencyMs: 0, shaping };
}

export function tooLongError(error: ContextLengthExceededError): CompletionError {
  return { status: error.httpStatus, code: error.code, type: error.type, message: error.message, param: error.param };
}
