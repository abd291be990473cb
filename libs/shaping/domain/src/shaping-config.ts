import { z } from 'zod';

const Fraction = z.number().gt(0).lte(1);

/**
 * Request shaping, configured under `shaping:` in `config/providers.yaml` (every key optional; these
 * are the defaults). Levels follow the reference article: above `thresholds.moderate` of a
 * candidate's budget a request is shaped moderately, above `thresholds.aggressive` aggressively;
 * each level shapes down to its `targets` fraction of the budget. `byteCaps` turns on the article's
 * byte caps (200/100/50 KB by level) on top of the token budget.
 */
export const ShapingConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Tokens kept free besides the output reserve, for the wire's own framing and counting error (at most a tenth of the window). */
    marginTokens: z.int().nonnegative().default(1024),
    thresholds: z.strictObject({ moderate: Fraction.default(0.7), aggressive: Fraction.default(0.85) }).prefault({}),
    targets: z.strictObject({ moderate: Fraction.default(0.7), aggressive: Fraction.default(0.5) }).prefault({}),
    /** Optional: the most message bytes a request may carry at each level (the article's 200/100/50 KB). */
    byteCaps: z
      .strictObject({ none: z.int().positive().default(200_000), moderate: z.int().positive().default(100_000), aggressive: z.int().positive().default(50_000) })
      .optional(),
    /** What the calibrated estimate is taken to be off by at most: decisions on it assume it undercounts by this much. */
    estimateErrorBand: z.number().min(0).max(1).default(0.2),
    /** Tokens counted per image part (an upper figure for OpenAI, Anthropic and Gemini images). */
    imageTokens: z.int().nonnegative().default(1600),
    /** The least a message keeps when it is cut (head and tail together), in characters. */
    minCutChars: z.int().positive().default(1000),
    /** CPU the exact tokenizer may spend on one request; past it the rest is estimated (and marked so). */
    tokenizerBudgetMs: z.number().positive().default(200),
  })
  .refine((c) => c.thresholds.moderate < c.thresholds.aggressive, { message: 'thresholds.moderate must be below thresholds.aggressive', path: ['thresholds'] })
  .refine((c) => c.targets.aggressive <= c.targets.moderate, { message: 'targets.aggressive must not exceed targets.moderate', path: ['targets'] });
export type ShapingConfig = z.infer<typeof ShapingConfigSchema>;

export const DEFAULT_SHAPING: ShapingConfig = ShapingConfigSchema.parse({});

export type ShapingLevel = 'none' | 'moderate' | 'aggressive';
