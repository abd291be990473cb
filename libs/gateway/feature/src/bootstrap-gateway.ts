import 'reflect-metadata';
import type { Duplex } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@cp/shared/config';
import { PinoNestLogger, type ServiceRuntime } from '@cp/shared/runtime';
import { context, SpanKind, SpanStatusCode, trace } from '@cp/shared/telemetry';
import { loadServingPlane } from '@cp/router/data-plane';
import { loadStartingPolicy } from '@cp/tool-governor/feature';
import { GatewayConfigSchema } from './gateway-config';
import { exceedsDepth } from './json-depth';
import { GatewayModule } from './gateway.module';
import { OpenAiErrorFilter, toOpenAiError } from './openai-error.filter';

/**
 * What Node's HTTP parser refuses before any handler runs (headers too large, a malformed request
 * line) is answered in the OpenAI error shape too, echoing nothing of the input; a socket that is
 * already gone is just closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const [status, reason, code, message] = tooLarge ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'request headers are too large'] : [400, 'Bad Request', 'malformed_request', 'malformed HTTP request'];
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', code, param: null } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** Starts the HTTP edge on Fastify; every request runs inside a server span that its provider calls (and any NATS request) continue. */
export async function bootstrapGateway(rt: ServiceRuntime): Promise<NestFastifyApplication> {
  const config = loadConfig(GatewayConfigSchema);
  const adapter = new FastifyAdapter({ bodyLimit: config.CP_GATEWAY_BODY_LIMIT_BYTES, logger: false, return503OnClosing: true, clientErrorHandler: answerClientError });
  const fastify = adapter.getInstance();
  fastify.addHook('onRequest', (req, reply, done) => {
    const span = rt.tracer.startSpan(`${req.method} ${req.url.split('?')[0]}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.url.split('?')[0] } });
    reply.raw.once('finish', () => {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(context.active(), span), done);
  });
  // Nothing may recurse on client input without a bound: a body nested deeper than the limit is
  // refused right after parsing, before validation, handlers or serialisation touch it.
  fastify.addHook('preValidation', (req, reply, done) => {
    if (req.body === null || typeof req.body !== 'object' || !exceedsDepth(req.body, config.CP_GATEWAY_MAX_JSON_DEPTH)) return done();
    void reply.status(400).header('content-type', 'application/json').send({ error: { message: `request body nests deeper than ${config.CP_GATEWAY_MAX_JSON_DEPTH} levels`, type: 'invalid_request_error', code: 'json_too_deep', param: null } });
  });
  // Body-parser failures happen before Nest's pipeline; map them to the OpenAI shape here too.
  fastify.setErrorHandler((err, _req, reply) => {
    const mapped = toOpenAiError(err);
    void reply.status(mapped.status).send(mapped.body);
  });
  // The registry file, or when it is unusable the last version the router published: a bad file stops the gateway only when there is no good version at all.
  const plane = await loadServingPlane(rt);
  const toolPolicy = await loadStartingPolicy(rt);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(rt, plane, toolPolicy), adapter, { logger: new PinoNestLogger(rt.logger), abortOnError: false });
  app.useGlobalFilters(new OpenAiErrorFilter(rt.logger));
  await app.listen(config.CP_GATEWAY_PORT, config.CP_GATEWAY_HOST);
  rt.logger.info({ url: `http://${config.CP_GATEWAY_HOST}:${config.CP_GATEWAY_PORT}` }, 'gateway listening');
  return app;
}
