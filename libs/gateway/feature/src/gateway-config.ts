import { csv, port } from '@cp/shared/config';
import { z } from 'zod';

export const GatewayConfigSchema = z.object({
  CP_GATEWAY_HOST: z.string().default('127.0.0.1'),
  CP_GATEWAY_PORT: port(8080),
  /** Comma-separated bearer keys accepted by the gateway. */
  CP_GATEWAY_KEYS: csv().pipe(z.array(z.string().min(8, 'each key needs at least 8 characters')).min(1, 'at least one key is required')),
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
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
