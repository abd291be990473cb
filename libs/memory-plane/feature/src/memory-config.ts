import { DEFAULT_SCORING, LAYERS, type Layer, type ScoringConfig } from '@cp/memory-plane/domain';
import { DEFAULT_EF_SEARCH } from '@cp/memory-plane/data-access';
import type { EmbedderSettings } from '@cp/memory-plane/embedding';
import { z } from 'zod';

const weights = z
  .string()
  .regex(/^(\s*(kb|multimodal|status|preferences)\s*=\s*(0|1|0?\.\d+)\s*)(,\s*(kb|multimodal|status|preferences)\s*=\s*(0|1|0?\.\d+)\s*)*$/, 'layer=weight pairs, e.g. kb=1,status=0.7')
  .transform((s) => Object.fromEntries(s.split(',').map((p) => p.split('=').map((x) => x.trim())).map(([k, v]) => [k, Number(v)])) as Partial<Record<Layer, number>>);

const faults = z
  .string()
  .regex(/^((kb|multimodal|status|preferences)=(fail|slow))(,(kb|multimodal|status|preferences)=(fail|slow))*$/, 'layer=fail|slow pairs, e.g. kb=fail')
  .transform((s) => Object.fromEntries(s.split(',').map((p) => p.split('='))) as Partial<Record<Layer, 'fail' | 'slow'>>);

/** The memory plane's settings (docs/configuration.md, docs/memory.md). */
export const MemoryConfigSchema = z.object({
  /** `static` (local, default), `wink-sif` / `wink-mean` / `lex-hash` (the other local candidates), `openai` (an OpenAI-compatible `/v1/embeddings`), or `onnx` (a local sentence model from `CP_MEMORY_ONNX_MODEL_DIR`). */
  CP_MEMORY_EMBEDDER: z.enum(['static', 'wink-sif', 'wink-mean', 'lex-hash', 'openai', 'onnx']).default('static'),
  /** Base URL of the OpenAI-compatible embeddings API (`<url>/v1/embeddings`), for `CP_MEMORY_EMBEDDER=openai`. */
  CP_MEMORY_EMBEDDINGS_URL: z.url().optional(),
  CP_MEMORY_EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),
  /** The embeddings API key (a secret: environment only, never logged). */
  CP_MEMORY_EMBEDDINGS_API_KEY: z.string().min(1).optional(),
  /** For `CP_MEMORY_EMBEDDER=onnx`: a folder holding `model.onnx` and the model's Hugging Face `tokenizer.json`. */
  CP_MEMORY_ONNX_MODEL_DIR: z.string().min(1).optional(),
  /** Longest input of the ONNX model in tokens (longer texts are cut); lowered to the model's own limit when its files name one. */
  CP_MEMORY_ONNX_MAX_TOKENS: z.coerce.number().int().min(8).max(8192).default(256),
  /** Most texts per ONNX inference. */
  CP_MEMORY_ONNX_BATCH: z.coerce.number().int().min(1).max(256).default(32),
  /** Most padded tokens per ONNX inference (texts x the longest): bounds how long a query waits behind an ingest's batch. */
  CP_MEMORY_ONNX_BATCH_TOKENS: z.coerce.number().int().min(8).max(65_536).default(256),
  /** onnxruntime intra-op threads; 0 lets onnxruntime choose (one per physical core). */
  CP_MEMORY_ONNX_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  /** Each layer's deadline within one query; a layer later than this is named in `degraded`. */
  CP_MEMORY_LAYER_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(120),
  /** KB results younger than this keep full freshness; older ones decay (half-life `CP_MEMORY_KB_HALF_LIFE_HOURS`). */
  CP_MEMORY_KB_FRESH_HOURS: z.coerce.number().positive().default(72),
  CP_MEMORY_KB_HALF_LIFE_HOURS: z.coerce.number().positive().default(720),
  /** Layer weights, e.g. `kb=1,multimodal=0.85,status=0.7,preferences=0.6` (missing layers keep their default). */
  CP_MEMORY_WEIGHTS: weights.optional(),
  /** Fault switch for tests and drills (off by default): `kb=fail` makes the KB layer fail, `kb=slow` miss its deadline. Also settable at run time by the `cp.memory.rpc.fault.v1` RPC. */
  CP_MEMORY_FAULTS: faults.optional(),
  /** HNSW candidates per vector query (`hnsw.ef_search`): recall against speed; the default is what `npm run bench:kb` measures (docs/performance.md). */
  CP_MEMORY_HNSW_EF_SEARCH: z.coerce.number().int().min(10).max(1000).default(DEFAULT_EF_SEARCH),
});
export type MemoryConfig = z.infer<typeof MemoryConfigSchema>;

/** The settings `createEmbedder` takes, from the memory plane's config. */
export function embedderSettings(c: MemoryConfig): EmbedderSettings {
  return {
    openai: { url: c.CP_MEMORY_EMBEDDINGS_URL, model: c.CP_MEMORY_EMBEDDINGS_MODEL, apiKey: c.CP_MEMORY_EMBEDDINGS_API_KEY },
    onnx: { dir: c.CP_MEMORY_ONNX_MODEL_DIR, maxTokens: c.CP_MEMORY_ONNX_MAX_TOKENS, batchSize: c.CP_MEMORY_ONNX_BATCH, batchTokens: c.CP_MEMORY_ONNX_BATCH_TOKENS, threads: c.CP_MEMORY_ONNX_THREADS },
  };
}

export function scoringOf(c: MemoryConfig): ScoringConfig {
  const w = { ...DEFAULT_SCORING.weights };
  for (const l of LAYERS) if (c.CP_MEMORY_WEIGHTS?.[l] !== undefined) w[l] = c.CP_MEMORY_WEIGHTS[l]!;
  return { ...DEFAULT_SCORING, weights: w, kbFreshMs: c.CP_MEMORY_KB_FRESH_HOURS * 3_600_000, kbHalfLifeMs: c.CP_MEMORY_KB_HALF_LIFE_HOURS * 3_600_000 };
}
