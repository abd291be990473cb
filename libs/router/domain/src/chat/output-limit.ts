import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { InvalidChatRequestError } from '../errors/domain-errors';

/** A token limit the client asked for above the model's, and what was sent instead. */
export interface MaxTokensClamp {
  /** `max_completion_tokens` or `max_tokens`, as the client named it. */
  field: 'max_completion_tokens' | 'max_tokens';
  requested: number;
  sent: number;
}

/**
 * The request as one candidate model may take it: `max_tokens` and `max_completion_tokens` above the
 * model's `maxOutput` are lowered to it (clamped, not refused: a failover may move to a model with
 * a smaller limit, and the client's number is a ceiling, not a demand). The clamp is returned so the
 * attempt records it. Costs two comparisons when nothing is above the limit.
 */
export function withinOutputLimit(req: ChatCompletionRequest, maxOutput: number): { request: ChatCompletionRequest; clamped?: MaxTokensClamp } {
  const over = (value: number | null | undefined): value is number => typeof value === 'number' && value > maxOutput;
  if (!over(req.max_completion_tokens) && !over(req.max_tokens)) return { request: req };
  const field = over(req.max_completion_tokens) ? 'max_completion_tokens' : 'max_tokens';
  const requested = req[field] as number;
  const request = { ...req };
  if (over(request.max_completion_tokens)) request.max_completion_tokens = maxOutput;
  if (over(request.max_tokens)) request.max_tokens = maxOutput;
  return { request, clamped: { field, requested, sent: maxOutput } };
}

/** Wires that answer one choice per request refuse `n` above 1 rather than answer fewer than asked. */
export function assertSingleChoice(req: ChatCompletionRequest, wire: string): void {
  if (typeof req.n === 'number' && req.n > 1) throw new InvalidChatRequestError(`n = ${req.n}: the ${wire} wire answers one choice per request`, 'n');
}
