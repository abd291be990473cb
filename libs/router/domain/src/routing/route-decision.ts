import type { Capability } from '../registry/registry.schema';
import type { ModelRef } from '../registry/registry.types';
import type { Classification } from './classifier';

/** A candidate removed before any call, and why. */
export interface FilteredCandidate extends ModelRef {
  reason: string;
}

/** Everything `chooseRoute` decided, recorded as-is in the request's ledger event. */
export interface RouteDecision {
  /** What the client sent in `model`. */
  requested: string;
  /** The route whose chain supplied the candidates (or fallbacks, for an explicit model). */
  route: string;
  /** Capable candidates, in the order to try them. */
  candidates: ModelRef[];
  filtered: FilteredCandidate[];
  /** Capabilities the request needs from a model. */
  required: Capability[];
  classification?: Classification;
  reason: string;
}
