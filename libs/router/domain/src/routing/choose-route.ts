import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { NoCapableProviderError, UnknownModelError } from '../errors/domain-errors';
import { findModel, resolveModelName } from '../registry/registry-lookup';
import type { Capability } from '../registry/registry.schema';
import { formatModelRef, type ModelRef, type ProviderRegistry } from '../registry/registry.types';
import { type Classification, classifyRequest } from './classifier';
import type { ClassifierConfig } from './classifier-config';
import { missingCapabilities, type RequestFeatures, requestFeatures, requiredCapabilities } from './request-features';
import type { FilteredCandidate, RouteDecision } from './route-decision';

/** The model name that lets the router choose. */
export const AUTO_MODEL = 'auto';

interface AutoChoice {
  route: string;
  classification?: Classification;
  reason: string;
}

function autoChoice(features: RequestFeatures, registry: ProviderRegistry, config: ClassifierConfig): AutoChoice {
  if (features.hasImages) return { route: registry.defaults.vision, reason: 'request contains images' };
  const classification = classifyRequest(features, config);
  const why = classification.reasons.length > 0 ? classification.reasons.join(', ') : 'no complexity signal';
  return { route: registry.defaults[classification.verdict], classification, reason: `classified ${classification.verdict} (score ${classification.score}: ${why})` };
}

const sameRef = (a: ModelRef) => (b: ModelRef) => a.provider === b.provider && a.model === b.model;

/**
 * The route an explicitly requested model falls back along: the route `auto` would pick if the
 * model is in it, else the first route (file order) that contains it, else the `auto` route.
 */
function homeRoute(ref: ModelRef, auto: AutoChoice, registry: ProviderRegistry): { route: string; reason: string } {
  const name = formatModelRef(ref);
  if (registry.routes[auto.route]?.some(sameRef(ref))) return { route: auto.route, reason: `explicit model ${name}, then the fallbacks of route "${auto.route}" (${auto.reason})` };
  const member = Object.keys(registry.routes).find((route) => registry.routes[route].some(sameRef(ref)));
  if (member) return { route: member, reason: `explicit model ${name}, then the fallbacks of route "${member}"` };
  return { route: auto.route, reason: `explicit model ${name} is in no route; falling back along "${auto.route}" (${auto.reason})` };
}

function filterCapable(chain: ModelRef[], required: Capability[], registry: ProviderRegistry): { candidates: ModelRef[]; filtered: FilteredCandidate[] } {
  const candidates: ModelRef[] = [];
  const filtered: FilteredCandidate[] = [];
  for (const ref of chain) {
    const model = findModel(registry, ref);
    const missing = model ? missingCapabilities(model.capabilities, required) : [];
    if (!model) filtered.push({ ...ref, reason: 'not in the registry' });
    else if (missing.length > 0) filtered.push({ ...ref, reason: `lacks ${missing.join(', ')}` });
    else candidates.push(ref);
  }
  return { candidates, filtered };
}

function dedupe(chain: ModelRef[]): ModelRef[] {
  return chain.filter((ref, index) => chain.findIndex(sameRef(ref)) === index);
}

/**
 * Chooses the ordered candidates for a request. `auto` sends images to the vision route and
 * otherwise classifies simple/complex; a route name uses that route; a model name (`gpt-4o` or
 * `openai/gpt-4o`) goes first, followed by its route's fallbacks. Candidates lacking a capability
 * the request needs are filtered out with a reason.
 * @throws UnknownModelError when `model` is neither `auto`, a route, nor a declared model.
 * @throws NoCapableProviderError when every candidate was filtered out.
 */
export function chooseRoute(request: ChatCompletionRequest, registry: ProviderRegistry, classifierConfig: ClassifierConfig = registry.classifier): RouteDecision {
  const features = requestFeatures(request);
  return routeFor(request.model, requiredCapabilities(features), () => autoChoice(features, registry, classifierConfig), registry);
}

/**
 * The route choice of a recorded decision made again against another registry, without the request
 * (the ledger does not keep prompts): the requested model, the capabilities it needed, and for
 * `auto` the classification as recorded.
 * @throws UnknownModelError, NoCapableProviderError as `chooseRoute` does.
 */
export function replayRoute(recorded: Pick<RouteDecision, 'requested' | 'required' | 'classification'>, registry: ProviderRegistry): RouteDecision {
  const c = recorded.classification;
  const auto = (): AutoChoice => {
    if (recorded.required.includes('vision')) return { route: registry.defaults.vision, reason: 'request contains images' };
    if (!c) return { route: registry.defaults.simple, reason: 'no classification recorded' };
    return { route: registry.defaults[c.verdict], classification: c, reason: `classified ${c.verdict} as recorded (score ${c.score})` };
  };
  return routeFor(recorded.requested, recorded.required, auto, registry);
}

function routeFor(requested: string, required: Capability[], autoOf: () => AutoChoice, registry: ProviderRegistry): RouteDecision {
  let route: string;
  let reason: string;
  let chain: ModelRef[];
  let classification: Classification | undefined;
  if (requested === AUTO_MODEL || Object.hasOwn(registry.routes, requested)) {
    const auto = requested === AUTO_MODEL ? autoOf() : { route: requested, reason: `route "${requested}" requested by name` };
    ({ route, reason, classification } = auto);
    chain = registry.routes[route];
  } else {
    const ref = resolveModelName(registry, requested);
    if (!ref) throw new UnknownModelError(requested);
    const auto = autoOf();
    ({ route, reason } = homeRoute(ref, auto, registry));
    classification = auto.classification;
    chain = dedupe([ref, ...registry.routes[route]]);
  }
  const { candidates, filtered } = filterCapable(chain, required, registry);
  const decision: RouteDecision = { requested, route, candidates, filtered, required, ...(classification ? { classification } : {}), reason };
  if (candidates.length === 0) {
    throw new NoCapableProviderError(`no model of route "${route}" supports ${required.join(', ')}: ${filtered.map((f) => `${formatModelRef(f)} ${f.reason}`).join('; ')}`, decision);
  }
  return decision;
}
