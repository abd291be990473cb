import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@cp/shared/config';
import { PinoNestLogger, type ServiceRuntime } from '@cp/shared/runtime';
import { context, endHttpServerSpan, startHttpServerSpan, trace, type Context } from '@cp/shared/telemetry';
import { loadServingPlane } from '@cp/router/data-plane';
import { loadStartingPolicy } from '@cp/tool-governor/feature';
import { addAcceptors, type Acceptors } from './edge/acceptors';
import { edgeServerOptions, installEdge } from './edge/edge';
import { GatewayConfigSchema } from './gateway-config';
import { GatewayModule } from './gateway.module';
import { OpenAiErrorFilter } from './openai-error.filter';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's trace context (its server span): the parent of the spans the request causes. */
    traceContext: Context | undefined;
  }
}

/** Starts the HTTP edge on Fastify; every request runs inside a server span that its provider calls (and any NATS request) continue. */
export async function bootstrapGateway(rt: ServiceRuntime): Promise<NestFastifyApplication> {
  const config = loadConfig(GatewayConfigSchema);
  const adapter = new FastifyAdapter(edgeServerOptions(config));
  const fastify = adapter.getInstance();
  fastify.decorateRequest('traceContext', undefined);
  fastify.addHook('onRequest', (req, reply, done) => {
    const span = startHttpServerSpan(rt.tracer, req.method, req.url);
    reply.raw.once('finish', () => endHttpServerSpan(span, reply.statusCode));
    // Kept on the request: the gateway passes it explicitly past every await (see SyncContextManager).
    const ctx = trace.setSpan(context.active(), span);
    req.traceContext = ctx;
    context.with(ctx, done);
  });
  // Fastify's own JSON parser only (no form parser from Nest: `bodyParser: false`); other types are a 415.
  const edge = installEdge(fastify, config);
  let acceptors: Acceptors | undefined;
  let closing = false;
  // Stop accepting on the extra handles with the server's own, before it waits for open connections.
  fastify.addHook('preClose', (done) => {
    closing = true;
    acceptors?.close();
    done();
  });
  // The registry file, or when it is unusable the last version the router published: a bad file stops the gateway only when there is no good version at all.
  const plane = await loadServingPlane(rt);
  const toolPolicy = await loadStartingPolicy(rt);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(rt, plane, toolPolicy, edge.toolsMemo), adapter, { logger: new PinoNestLogger(rt.logger), abortOnError: false, bodyParser: false });
  app.useGlobalFilters(new OpenAiErrorFilter(rt.logger, config.CP_GATEWAY_BODY_LIMIT_BYTES));
  await app.listen(config.CP_GATEWAY_PORT, config.CP_GATEWAY_HOST);
  acceptors = await addAcceptors(fastify.server, config.CP_GATEWAY_ACCEPTORS);
  if (closing) acceptors.close();
  if (acceptors.count < config.CP_GATEWAY_ACCEPTORS) rt.logger.warn({ wanted: config.CP_GATEWAY_ACCEPTORS, got: acceptors.count }, 'fewer extra listening handles than configured: a burst of new connections is accepted more slowly');
  rt.logger.info({ url: `http://${config.CP_GATEWAY_HOST}:${config.CP_GATEWAY_PORT}`, acceptors: acceptors.count + 1 }, 'gateway listening');
  return app;
}
