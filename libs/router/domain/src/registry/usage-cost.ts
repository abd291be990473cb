import { roundUsd, type Usage } from '@cp/shared/contracts';
import type { ModelSpec } from './registry.schema';

/**
 * What a call cost in USD at the model's registry price: prompt tokens at the input price and
 * completion tokens (reasoning included, as providers bill them) at the output price, per million.
 * Rounded to the nano-dollar (`roundUsd`).
 */
export function usageCostUsd(usage: Usage, price: ModelSpec['pricePerMTok']): number {
  return roundUsd((usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000);
}
