import type { z } from 'zod';
import { BusRequestError } from '@cp/shared/messaging';

/** Pipeline error codes that are about one request parameter. */
const PARAM_OF_CODE: Record<string, string> = { 'ROUTER.UNKNOWN_MODEL': 'model' };

/** An error the edge answers in the OpenAI error shape; `code` is stable, `message` is for people. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly type: string,
    message: string,
    readonly param: string | null = null,
    /** Sent as the `Retry-After` header (seconds). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  /** A pipeline error as the client sees it; an error about the requested model names `model` as its parameter. */
  static of(error: { status: number; code: string; type: string; message: string; param?: string | null; retryAfterSeconds?: number }): GatewayError {
    return new GatewayError(error.status, error.code, error.type, error.message, error.param ?? PARAM_OF_CODE[error.code] ?? null, error.retryAfterSeconds);
  }

  static invalidRequest(message: string, param: string | null = null, code = 'invalid_request') {
    return new GatewayError(400, code, 'invalid_request_error', message, param);
  }
}

/** Parses a request body with its schema; the first issue becomes a 400 naming the parameter. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.join('.') || null;
  throw GatewayError.invalidRequest(`invalid request: ${param ? `${param}: ` : ''}${issue?.message ?? 'malformed body'}`, param);
}

/**
 * A catalog request to the router (models, matrix, probe) that got no answer: 504 when it timed
 * out, 413 when it is larger than the bus carries (the NATS server's max payload, 1 MiB by
 * default), 503 when nobody is listening. Completions never cross NATS.
 */
export function routerUnavailable(err: unknown): GatewayError {
  if (err instanceof BusRequestError && err.code === 'BUS.TIMEOUT') return new GatewayError(504, 'router_timeout', 'timeout', 'the router did not answer within the request deadline');
  if (err instanceof BusRequestError && err.code === 'BUS.TOO_LARGE') return new GatewayError(413, 'request_too_large', 'invalid_request_error', `the request is too large to forward: ${err.message}`);
  return new GatewayError(503, 'router_unavailable', 'service_unavailable', 'the router is not reachable');
}
