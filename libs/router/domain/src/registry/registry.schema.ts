import { z } from 'zod';
import { ShapingConfigSchema } from '@cp/shaping/domain';
import { ClassifierConfigSchema } from '../routing/classifier-config';

export const WIRES = ['openai', 'anthropic', 'gemini'] as const;
export const WireSchema = z.enum(WIRES);
export type Wire = z.infer<typeof WireSchema>;

export const CapabilitiesSchema = z.strictObject({
  tools: z.boolean(),
  vision: z.boolean(),
  streaming: z.boolean(),
  jsonMode: z.boolean(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
export type Capability = keyof Capabilities;

export const ModelSpecSchema = z.strictObject({
  id: z.string().min(1).regex(/^\S+$/, 'must not contain spaces'),
  capabilities: CapabilitiesSchema,
  contextWindow: z.int().positive(),
  maxOutput: z.int().positive(),
  /** USD per million tokens. */
  pricePerMTok: z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() }),
});
export type ModelSpec = z.infer<typeof ModelSpecSchema>;

export const TimeoutsSchema = z.strictObject({
  connectMs: z.int().positive(),
  firstByteMs: z.int().positive(),
  totalMs: z.int().positive(),
});
export type ProviderTimeouts = z.infer<typeof TimeoutsSchema>;

export const DEFAULT_TIMEOUTS: ProviderTimeouts = { connectMs: 3000, firstByteMs: 30000, totalMs: 120000 };

export const ProviderSpecSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes'),
  wire: WireSchema,
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)'),
  timeouts: TimeoutsSchema.partial().optional(),
  models: z.array(ModelSpecSchema).min(1),
});
export type ProviderSpec = z.infer<typeof ProviderSpecSchema>;

/** `provider/model`; the model part may itself contain slashes (`local/Qwen/Qwen3-8B`). */
export const ModelRefStringSchema = z.string().regex(/^[a-z][a-z0-9-]*\/\S+$/, 'must be "provider/model"');

export const RouteNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'must be lowercase letters, digits, dashes and underscores')
  .refine((name) => name !== 'auto', '"auto" is reserved');

export const RegistryFileSchema = z.strictObject({
  version: z.literal(1),
  /** Defaults for every provider; a provider's own `timeouts` override them key by key. */
  timeouts: TimeoutsSchema.partial().optional(),
  providers: z.array(ProviderSpecSchema).min(1),
  routes: z.record(RouteNameSchema, z.array(ModelRefStringSchema).min(1)),
  defaults: z.strictObject({ simple: z.string(), complex: z.string(), vision: z.string() }),
  classifier: ClassifierConfigSchema.prefault({}),
  /** Request shaping per candidate (docs/shaping.md); every key optional. */
  shaping: ShapingConfigSchema.prefault({}),
});
export type RegistryFile = z.infer<typeof RegistryFileSchema>;
