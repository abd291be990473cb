import { z } from 'zod';

/**
 * What request shaping did for one attempt (one candidate model), in the request's ledger event:
 * the candidate's budget, the level, sizes before and after, which messages (indexes in the
 * client's request) were dropped or cut, and the tokenizer. `check: "bound"` means the cheap upper
 * bound settled it (no tokenizer ran; `tokensBefore` is that bound). `exact` is true when every
 * token figure came from the provider's own tokenizer.
 */
export const ShapingRecord = z.object({
  level: z.enum(['none', 'moderate', 'aggressive']),
  check: z.enum(['bound', 'counted']),
  tokenizer: z.string(),
  exact: z.boolean(),
  budgetTokens: z.number().int().nonnegative(),
  contextWindow: z.number().int().positive(),
  outputTokens: z.number().int().nonnegative(),
  marginTokens: z.number().int().nonnegative(),
  tokensBefore: z.number().int().nonnegative(),
  bytesBefore: z.number().int().nonnegative().optional(),
  targetTokens: z.number().int().nonnegative().optional(),
  targetBytes: z.number().int().nonnegative().optional(),
  tokensAfter: z.number().int().nonnegative().optional(),
  bytesAfter: z.number().int().nonnegative().optional(),
  dropped: z.array(z.number().int().nonnegative()).optional(),
  cut: z.array(z.number().int().nonnegative()).optional(),
  /** Milliseconds shaping spent on this candidate once past the bound (counting and shaping; not the tokenizer's one-time load). */
  ms: z.number().nonnegative().optional(),
});
export type ShapingRecord = z.infer<typeof ShapingRecord>;

/** How shaping ordered the route's candidates: those the request fits whole first (recorded only when the order changed). */
export const ShapingOrder = z.object({
  reordered: z.literal(true),
  fitsWhole: z.array(z.string()),
});
export type ShapingOrder = z.infer<typeof ShapingOrder>;
