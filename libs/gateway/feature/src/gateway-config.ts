import { csv, port } from '@cp/shared/config';
import { z } from 'zod';

/** `all`, `none`, or comma-separated key ids (the first 12 hex digits of the key's SHA-256: `printf %s "$KEY" | sha256sum | cut -c1-12`). */
const keySelection = () =>
  z
    .string()
    .regex(/^(all|none|[0-9a-f]{12}(,[0-9a-f]{12})*)$/, 'all, none, or comma-separated 12-hex key ids')
    .default('none')
    .transform((s) => ({ all: s === 'all', ids: new Set(s === 'all' || s === 'none' ? [] : s.split(',')) }));

export const GatewayConfigSchema = z.object({
  CP_GATEWAY_HOST: z.string().default('127.0.0.1'),
  CP_GATEWAY_PORT: port(8080),
  /** Comma-separated bearer keys accepted by the gateway. */
  CP_GATEWAY_KEYS: csv().pipe(z.array(z.string().min(8, 'each key needs at least 8 characters')).min(1, 'at least one key is required')),
  /**
   * Extra listening handles on the gateway's socket (0: only the server's own): each accepts one new
   * connection per event-loop iteration, so a burst of new connections against a busy gateway is
   * accepted this many times faster (docs/performance.md, "Accepting a burst of new connections").
   */
  CP_GATEWAY_ACCEPTORS: z.coerce.number().int().min(0).max(128).default(15),
  CP_GATEWAY_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(8 * 1024 * 1024),
  /** The longest request URL (path and query) accepted; longer is a 414. Node refuses a request line and headers over 16 KiB with a 431 before that. */
  CP_GATEWAY_MAX_URL_BYTES: z.coerce.number().int().min(256).max(16_384).default(8192),
  /** The whole request (headers and body) must arrive within this, or it is answered 408: a client that stops sending holds nothing for long. */
  CP_GATEWAY_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** The deepest JSON a request body may nest (a chat request needs about 8); deeper is a 400 before any handler. */
  CP_GATEWAY_MAX_JSON_DEPTH: z.coerce.number().int().min(8).max(1000).default(64),
  /** Overall deadline of one completion request, failovers included. */
  CP_REQUEST_DEADLINE_MS: z.coerce.number().int().positive().default(120_000),
  /** How long /health waits for each service before showing it as down. */
  CP_HEALTH_TIMEOUT_MS: z.coerce.number().int().positive().default(500),
  /** Keys whose requests get memory injected by default (the `x-cp-memory: on|off` header decides per request). */
  CP_MEMORY_KEYS: keySelection(),
  /** Keys that opted in to preference learning from their user messages. */
  CP_MEMORY_LEARN_KEYS: keySelection(),
  /** How long a request waits for memory before it goes on without it (the trail then says degraded). */
  CP_MEMORY_DEADLINE_MS: z.coerce.number().int().positive().max(10_000).default(150),
  /** The memory block's size bound in estimated tokens (status first, then results). */
  CP_MEMORY_TOKEN_BUDGET: z.coerce.number().int().min(50).max(20_000).default(600),
  /** How many query results the memory block may draw from. */
  CP_MEMORY_RESULT_LIMIT: z.coerce.number().int().min(1).max(50).default(6),
  /** `off`: finished requests feed no Prometheus series (for pricing them in the bench; `/metrics` still answers the gauges). */
  CP_GATEWAY_METRICS: z.enum(['on', 'off']).default('on'),
  /** What describes remembered images (after the answer): `auto` (the vision route for an image), a route or a model; `off`: images are remembered without a description. */
  CP_MEMORY_DESCRIBE_MODEL: z.string().min(1).max(200).default('auto'),
  /** The describing call's deadline, failovers included; later, the item stays without a description. */
  CP_MEMORY_DESCRIBE_TIMEOUT_MS: z.coerce.number().int().positive().max(600_000).default(30_000),
  /** Describing calls at once per gateway process. */
  CP_MEMORY_DESCRIBE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /** Images waiting to be described per gateway process; beyond it (or 32 MiB of image data) a new one is dropped with a log line. */
  CP_MEMORY_DESCRIBE_QUEUE: z.coerce.number().int().min(1).max(1000).default(16),
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
