import { z } from 'zod';
import { defineRpc, RpcError } from './rpc';

/**
 * The memory plane's RPCs (`cp.memory.rpc.<verb>.v1`): the gateway forwards its memory routes here.
 * Every reply is its result or `{ error }` in the shape the gateway maps to the OpenAI error body.
 */
const orError = <S extends z.ZodType>(ok: S) => z.union([ok, z.object({ error: RpcError })]);

export const MEMORY_LAYERS = ['kb', 'multimodal', 'status', 'preferences'] as const;
export const MemoryLayer = z.enum(MEMORY_LAYERS);
export type MemoryLayer = z.infer<typeof MemoryLayer>;

/** The largest document the KB takes over the bus (NATS carries 1 MiB by default). */
export const MAX_DOCUMENT_BYTES = 512 * 1024;

const Text = (max: number) => z.string().max(max).refine((s) => s.trim().length > 0, { message: 'must not be empty' });
const Uuid = z.uuid();

export const KbDocument = z.object({ id: z.string(), title: z.string(), source: z.string().nullable(), mimeType: z.string(), contentHash: z.string(), bytes: z.number(), chunks: z.number(), createdAt: z.string(), updatedAt: z.string() });
export type KbDocument = z.infer<typeof KbDocument>;

export const KbIngestRequest = z.strictObject({
  title: Text(500),
  content: Text(MAX_DOCUMENT_BYTES).refine((s) => Buffer.byteLength(s) <= MAX_DOCUMENT_BYTES, { message: `must be at most ${MAX_DOCUMENT_BYTES} bytes` }),
  source: z.string().min(1).max(2000).optional(),
  mimeType: z.enum(['text/markdown', 'text/plain', 'text/html', 'application/json']).optional(),
});
export const KbIngest = defineRpc('memory', 'kb-ingest', 1, KbIngestRequest.extend({ requestId: z.string().optional() }), orError(z.object({ id: z.string(), chunks: z.number().int(), outcome: z.enum(['created', 'replaced', 'unchanged']), document: KbDocument })));
export const KbList = defineRpc('memory', 'kb-list', 1, z.object({ limit: z.number().int().positive().max(1000).optional(), offset: z.number().int().nonnegative().optional() }), orError(z.object({ documents: z.array(KbDocument), total: z.number().int() })));
export const KbDelete = defineRpc('memory', 'kb-delete', 1, z.object({ id: Uuid, requestId: z.string().optional() }), orError(z.object({ id: z.string(), deleted: z.literal(true) })));

export const Preference = z.object({ id: z.string(), subject: z.string(), statement: z.string(), polarity: z.enum(['positive', 'negative']), confidence: z.number(), origin: z.enum(['learned', 'api']), evidence: z.string().nullable(), supersededBy: z.string().nullable(), createdAt: z.string(), updatedAt: z.string() });
export type Preference = z.infer<typeof Preference>;
export const PreferenceCreateRequest = z.strictObject({
  statement: Text(1000),
  subject: Text(200).optional(),
  polarity: z.enum(['positive', 'negative']).optional(),
  confidence: z.number().min(0).max(1).optional(),
});
export const PreferencePatchRequest = PreferenceCreateRequest.partial().refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });
export const PrefList = defineRpc('memory', 'pref-list', 1, z.object({ all: z.boolean().optional() }), orError(z.object({ preferences: z.array(Preference) })));
export const PrefCreate = defineRpc('memory', 'pref-create', 1, PreferenceCreateRequest.extend({ requestId: z.string().optional() }), orError(z.object({ preference: Preference, supersedes: z.array(z.string()) })));
export const PrefUpdate = defineRpc('memory', 'pref-update', 1, z.object({ id: Uuid, patch: z.object({ statement: z.string().optional(), subject: z.string().optional(), polarity: z.enum(['positive', 'negative']).optional(), confidence: z.number().min(0).max(1).optional() }), requestId: z.string().optional() }), orError(z.object({ preference: Preference })));
export const PrefDelete = defineRpc('memory', 'pref-delete', 1, z.object({ id: Uuid, requestId: z.string().optional() }), orError(z.object({ id: z.string(), deleted: z.literal(true) })));
/** A user message of a key that opted in to learning: preferences are extracted from it; its text never reaches the ledger. */
export const PrefLearn = defineRpc('memory', 'pref-learn', 1, z.object({ requestId: z.string().min(1).max(200), text: z.string().max(32_000) }), orError(z.object({ learned: z.array(z.string()) })));

export const StatusItemView = z.object({ id: z.string(), kind: z.enum(['priority', 'project', 'note']), text: z.string(), updatedAt: z.string() });
export const StatusView = z.object({ items: z.array(StatusItemView), updatedAt: z.string().nullable() });
export type StatusView = z.infer<typeof StatusView>;
export const StatusPutRequest = z
  .strictObject({ text: z.string().max(4000).optional(), priorities: z.array(Text(500)).max(50).optional(), projects: z.array(Text(500)).max(50).optional() })
  .refine((s) => s.text !== undefined || s.priorities !== undefined || s.projects !== undefined, { message: 'give text, priorities or projects' });
export const StatusPut = defineRpc('memory', 'status-put', 1, z.object({ text: z.string().optional(), priorities: z.array(z.string()).optional(), projects: z.array(z.string()).optional(), requestId: z.string().optional() }), orError(StatusView));
export const StatusGet = defineRpc('memory', 'status-get', 1, z.object({}).loose(), orError(StatusView));

export const MemoryProvenance = z.object({ layer: MemoryLayer, id: z.string(), source: z.string().optional(), documentId: z.string().optional(), title: z.string().optional(), origin: z.string().optional(), updatedAt: z.string() });
export const MemoryQueryResult = z.object({
  layer: MemoryLayer,
  id: z.string(),
  text: z.string(),
  score: z.number(),
  confidence: z.number(),
  relevance: z.number().optional(),
  kind: z.string().optional(),
  provenance: z.array(MemoryProvenance),
  conflicts: z.array(z.object({ with: z.object({ id: z.string(), layer: MemoryLayer }), reason: z.string() })).optional(),
});
export type MemoryQueryResult = z.infer<typeof MemoryQueryResult>;
export const MemoryQueryRequest = z.strictObject({
  query: Text(8000),
  layers: z.array(MemoryLayer).min(1).optional(),
  limit: z.number().int().positive().max(50).optional(),
});
export const MemoryQueryReply = z.object({
  results: z.array(MemoryQueryResult),
  conflicts: z.array(z.object({ a: z.object({ id: z.string(), layer: MemoryLayer }), b: z.object({ id: z.string(), layer: MemoryLayer }), penalized: z.string(), reason: z.string() })),
  /** Layers that failed or missed their deadline: left out of the results. */
  degraded: z.array(MemoryLayer),
  /** The operational status as of the query (the gateway puts it first in the memory block). */
  status: z.array(StatusItemView).optional(),
  tookMs: z.number(),
});
export type MemoryQueryReply = z.infer<typeof MemoryQueryReply>;
export const MemoryQuery = defineRpc('memory', 'query', 1, MemoryQueryRequest.extend({ withStatus: z.boolean().optional() }), orError(MemoryQueryReply));

export const EmbedRequest = z.object({ input: z.union([Text(32_000), z.array(Text(32_000)).min(1).max(256)]), model: z.string().max(200).optional() });
export const Embed = defineRpc('memory', 'embed', 1, EmbedRequest, orError(z.object({ model: z.string(), dimension: z.number().int(), data: z.array(z.array(z.number())) })));

/** Files and images seen in a request of a key with memory on: remembered by content hash (no bytes cross the bus). */
export const RememberItems = defineRpc(
  'memory',
  'remember',
  1,
  z.object({ requestId: z.string(), items: z.array(z.object({ contentHash: z.string().regex(/^[0-9a-f]{64}$/), filename: z.string().max(500).nullable(), mediaType: z.string().max(200), bytes: z.number().int().nonnegative() })).max(32) }),
  orError(
    z.object({
      remembered: z.array(z.string()),
      /** Remembered items that have no description yet (new, or an earlier description failed): the gateway may describe them. */
      undescribed: z.array(z.object({ itemId: z.string(), contentHash: z.string() })).optional(),
    }),
  ),
);

/** The longest item description the memory plane stores (the gateway cuts the model's answer to it). */
export const MAX_ITEM_DESCRIPTION_CHARS = 1000;

/**
 * A remembered image's description, from a vision model the gateway asked after the answer: stored
 * on the item (when it has none yet) and searchable from then on. `described: false` when the item
 * already had one (another replica got there first).
 */
export const DescribeItem = defineRpc(
  'memory',
  'describe-item',
  1,
  z.object({ itemId: Uuid, description: Text(MAX_ITEM_DESCRIPTION_CHARS), model: z.string().min(1).max(300), requestId: z.string().max(200).optional(), describeRequestId: z.string().max(200).optional() }),
  orError(z.object({ itemId: z.string(), described: z.boolean() })),
);

/** Test and drill switch: makes a layer fail (`fail`), miss its deadline (`slow`) or work again (`off`). */
export const MemoryFault = defineRpc('memory', 'fault', 1, z.object({ layer: MemoryLayer, mode: z.enum(['fail', 'slow', 'off']) }), orError(z.object({ faults: z.record(z.string(), z.string()) })));
