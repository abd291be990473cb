import { z } from 'zod';

/** Words and phrases that mark a request as needing the full model (matched at a word start, case-insensitive). */
export const DEFAULT_COMPLEX_KEYWORDS = [
  'analyze',
  'analyse',
  'analysis',
  'prove',
  'proof',
  'refactor',
  'step by step',
  'debug',
  'optimize',
  'optimise',
  'architecture',
  'trade-off',
  'compare',
  'derive',
  'algorithm',
  'explain why',
];

/**
 * The simple/complex classifier of `auto`. Each rule that fires adds its weight to the score; a
 * score at or above `threshold` is complex. Configurable under `classifier:` in providers.yaml.
 */
export const ClassifierConfigSchema = z.strictObject({
  threshold: z.number().positive().default(2),
  /** The last user message is long when it has at least this many characters. */
  longMessageChars: z.int().positive().default(1500),
  /** The conversation is long when it has at least this many non-system messages. */
  manyTurns: z.int().positive().default(8),
  keywords: z.array(z.string().min(1)).default(DEFAULT_COMPLEX_KEYWORDS),
  weights: z
    .strictObject({
      longMessage: z.number().nonnegative().default(2),
      manyTurns: z.number().nonnegative().default(1),
      tools: z.number().nonnegative().default(1),
      keyword: z.number().nonnegative().default(2),
      codeBlock: z.number().nonnegative().default(2),
    })
    .prefault({}),
});
export type ClassifierConfig = z.infer<typeof ClassifierConfigSchema>;
export type ClassifierConfigInput = z.input<typeof ClassifierConfigSchema>;

export const DEFAULT_CLASSIFIER_CONFIG: ClassifierConfig = ClassifierConfigSchema.parse({});
