import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { processSecrets } from '@cp/shared/contracts';
import type { Logger } from '@cp/shared/telemetry';
import { answer, type EdgeAnswer } from './edge/edge-error';
import { send } from './edge/send-answer';
import { GatewayError } from './gateway-error';

/** The one place where errors become HTTP: every failure leaves the gateway in the OpenAI error shape. */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  /** `lingerBytes`: how much of a refused body is still read and dropped after its answer (the body limit). */
  constructor(
    private readonly logger: Logger,
    private readonly lingerBytes: number,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const mapped = toOpenAiError(err);
    if (mapped.status >= 500) this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'request failed');
    // Every provider was rate limited: say when to come back (the smallest Retry-After they sent).
    if (err instanceof GatewayError && err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
    send(reply, mapped, this.lingerBytes);
  }
}

/** Fastify's own errors (body parser, content type) by code, as the client sees them. */
const FASTIFY_ERRORS: Record<string, EdgeAnswer> = {
  FST_ERR_CTP_INVALID_JSON_BODY: answer(400, 'invalid_json', 'request body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: answer(400, 'empty_body', 'request body is empty; a JSON object is expected'),
  FST_ERR_CTP_BODY_TOO_LARGE: answer(413, 'body_too_large', 'request body exceeds the size limit'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: answer(415, 'unsupported_media_type', 'content-type must be application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: answer(400, 'invalid_content_length', 'the body does not have the length its Content-Length announced'),
  FST_ERR_CTP_INVALID_TYPE: answer(400, 'invalid_content_type', 'the Content-Type header is not valid'),
  FST_ERR_CTP_INVALID_CONTENT_TYPE: answer(400, 'invalid_content_type', 'the Content-Type header is not valid'),
};

export function toOpenAiError(err: unknown): EdgeAnswer {
  // Whatever a message was made of, no configured key or key-shaped string reaches the client (the other messages are ours).
  if (err instanceof GatewayError) return answer(err.status, err.code, processSecrets.redact(err.message), err.param, err.type);
  // Nest wraps Fastify's client errors in an HttpException; the Fastify error is its cause.
  if (err instanceof HttpException && err.cause instanceof Error && typeof (err.cause as { code?: unknown }).code === 'string') return toOpenAiError(err.cause);
  const fastifyCode = (err as { code?: string }).code;
  const statusCode = (err as { statusCode?: number }).statusCode;
  const known = fastifyCode === undefined ? undefined : FASTIFY_ERRORS[fastifyCode];
  if (known) return known;
  if (err instanceof SyntaxError && statusCode === 400) return FASTIFY_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status === 404) return answer(404, 'not_found', 'no such route');
    if (status === 400 && /JSON/i.test(err.message)) return FASTIFY_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY;
    if (status === 413) return FASTIFY_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE;
    return answer(status, `http_${status}`, status < 500 ? 'bad request' : 'internal error', null, status < 500 ? 'invalid_request_error' : 'server_error');
  }
  // A client error of the HTTP layer (a stream aborted mid-body, a bad header): its code, never its text.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return answer(statusCode, fastifyCode ?? `http_${statusCode}`, 'bad request');
  return answer(500, 'internal_error', 'internal error', null, 'server_error');
}
