import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { processSecrets } from '@cp/shared/contracts';
import type { Logger } from '@cp/shared/telemetry';
import { GatewayError } from './gateway-error';

interface Mapped {
  status: number;
  body: { error: { message: string; type: string; code: string | null; param: string | null } };
}

/** The one place where errors become HTTP: every failure leaves the gateway in the OpenAI error shape. */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const mapped = toOpenAiError(err);
    if (mapped.status >= 500) this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'request failed');
    // RFC 6750: a 401 names the scheme the client should use.
    if (mapped.status === 401) void reply.header('www-authenticate', 'Bearer');
    // Every provider was rate limited: say when to come back (the smallest Retry-After they sent).
    if (err instanceof GatewayError && err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
    void reply.status(mapped.status).header('content-type', 'application/json').send(mapped.body);
  }
}

export function toOpenAiError(err: unknown): Mapped {
  // Whatever a message was made of, no configured key or key-shaped string reaches the client.
  const body = (status: number, code: string | null, type: string, message: string, param: string | null = null): Mapped => ({ status, body: { error: { message: processSecrets.redact(message), type, code, param } } });
  if (err instanceof GatewayError) return body(err.status, err.code, err.type, err.message, err.param);
  const fastifyCode = (err as { code?: string }).code;
  const statusCode = (err as { statusCode?: number }).statusCode;
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && statusCode === 400) || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return body(400, 'invalid_json', 'invalid_request_error', 'request body is not valid JSON');
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') return body(413, 'body_too_large', 'invalid_request_error', 'request body exceeds the size limit');
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return body(415, 'unsupported_media_type', 'invalid_request_error', 'content-type must be application/json');
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status === 404) return body(404, 'not_found', 'invalid_request_error', 'no such route');
    if (status === 400 && /JSON/i.test(err.message)) return body(400, 'invalid_json', 'invalid_request_error', 'request body is not valid JSON');
    if (status === 413) return body(413, 'body_too_large', 'invalid_request_error', 'request body exceeds the size limit');
    return body(status, `http_${status}`, status < 500 ? 'invalid_request_error' : 'server_error', err.message);
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return body(statusCode, fastifyCode ?? `http_${statusCode}`, 'invalid_request_error', 'bad request');
  return body(500, 'internal_error', 'server_error', 'internal error');
}
