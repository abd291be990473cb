import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { exceedsDepth, type FunctionTool } from '@cp/shared/contracts';
import type { GatewayConfig } from '../gateway-config';
import { ApiKeys } from './api-keys';
import { answerClientError } from './client-error';
import { answer, type EdgeAnswer } from './edge-error';
import { send } from './send-answer';
import { requestIdOf } from './request-id';
import { RouteMethods } from './route-methods';
import { ToolsMemo } from './tools-memo';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request presented a valid key (checked in `onRequest`, before its body was read). */
    authenticated: boolean;
    /** The id of the key it presented (first 12 hex digits of the key's SHA-256), when valid: what per-key settings such as `CP_MEMORY_KEYS` name. */
    keyId: string | undefined;
    /** The request's tools, when the tools memo knew their text: the body's `tools` holds the memo's sentinel until the handler sets them. */
    toolsFromMemo: readonly FunctionTool[] | undefined;
  }
}

/** The one route whose bodies carry tools. */
const CHAT_ROUTE = '/v1/chat/completions';

/**
 * Routes a request without any key may reach (a wrong key is still refused); they show less without
 * one. The dashboard's page, script and styles hold no data: its script asks for the key and sends
 * it as a bearer header to the JSON routes.
 */
const OPEN_ROUTES = new Set(['/health', '/dashboard', '/dashboard/app.js', '/dashboard/app.css', '/dashboard/vendor/:file']);
/** The longest path parameter (a model id) accepted; longer is a 414. */
const MAX_PARAM_LENGTH = 256;

/** The Fastify options of the edge: limits, request ids, and the answers made before any hook runs. */
export function edgeServerOptions(config: GatewayConfig): FastifyServerOptions {
  return {
    bodyLimit: config.CP_GATEWAY_BODY_LIMIT_BYTES,
    logger: false,
    // Requests that arrive while the server closes are answered by the edge hook (503 in our shape).
    return503OnClosing: false,
    // The whole request (headers and body) must arrive within this, or Node answers 408 (see answerClientError).
    requestTimeout: config.CP_GATEWAY_REQUEST_TIMEOUT_MS,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: requestIdOf,
    clientErrorHandler: answerClientError,
    frameworkErrors: (err, req, reply) => {
      void reply.header('x-request-id', req.id);
      const refusal = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? answer(414, 'url_too_long', `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`) : answer(400, 'invalid_url', 'the URL is not valid (bad percent-encoding)');
      send(reply, refusal, config.CP_GATEWAY_BODY_LIMIT_BYTES);
    },
  };
}

/**
 * The edge, in Fastify hooks that run before any Nest handler: every answer gets `x-request-id`;
 * the key is checked before the body is read (a missing or wrong key costs no body read), then an
 * unknown route (404) or method (405 with `Allow`), an overlong URL (414), and after parsing a body
 * nested deeper than the limit (400). Everything goes out in the OpenAI error shape, echoing
 * nothing of the input.
 */
export function installEdge(fastify: FastifyInstance, config: GatewayConfig): { toolsMemo: ToolsMemo } {
  const keys = new ApiKeys(config.CP_GATEWAY_KEYS);
  const routes = new RouteMethods();
  let closing = false;
  fastify.decorateRequest('authenticated', false);
  fastify.decorateRequest('keyId', undefined);
  fastify.decorateRequest('toolsFromMemo', undefined);
  const toolsMemo = installJsonParser(fastify, config);
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url ?? route.path));
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Plain text is not a request format of ours: without its parser it is a 415 like any other type.
  fastify.removeContentTypeParser('text/plain');

  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    const refusal = closing ? answer(503, 'shutting_down', 'this gateway is shutting down; retry the request', null, 'service_unavailable') : refuse(req, keys, routes, config);
    if (refusal === undefined) return done();
    send(reply, refusal, config.CP_GATEWAY_BODY_LIMIT_BYTES);
  });

  // Nothing may recurse on client input without a bound: a body nested deeper than the limit is
  // refused right after parsing, before validation, handlers or serialisation touch it.
  fastify.addHook('preValidation', (req, reply, done) => {
    if (req.body === null || typeof req.body !== 'object' || !exceedsDepth(req.body, config.CP_GATEWAY_MAX_JSON_DEPTH)) return done();
    send(reply, answer(400, 'json_too_deep', `request body nests deeper than ${config.CP_GATEWAY_MAX_JSON_DEPTH} levels`), 0);
  });
  return { toolsMemo };
  // Body-parser and content-type failures go to Nest's error handler (it replaces Fastify's), so to OpenAiErrorFilter.
}

/**
 * Fastify's own JSON parser (its prototype-poisoning rules, its errors), with the tools memo in front
 * of it on the chat route: a body whose tools text was seen before is parsed without its tools.
 */
function installJsonParser(fastify: FastifyInstance, config: GatewayConfig): ToolsMemo {
  const parseDefault = fastify.getDefaultJsonParser('error', 'error');
  const parseSync = (text: string): unknown => {
    let out: unknown;
    let error: Error | null = null;
    parseDefault(undefined as unknown as FastifyRequest, text, (err, value) => {
      error = err;
      out = value;
    });
    if (error) throw error;
    return out;
  };
  const memo = new ToolsMemo(parseSync, config.CP_GATEWAY_MAX_JSON_DEPTH);
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    // `parseAs: 'string'`: always a string here.
    const text = body as string;
    const chat = req.routeOptions.url === CHAT_ROUTE;
    const hit = chat ? memo.lookup(text) : undefined;
    if (hit) {
      req.toolsFromMemo = hit.tools;
      return done(null, hit.body);
    }
    parseDefault(req, text, (err, value) => {
      if (!err && chat) memo.learn(text, value);
      done(err, value);
    });
  });
  return memo;
}

/** Why the edge answers a request itself, before its body is read; undefined lets it through. */
function refuse(req: FastifyRequest, keys: ApiKeys, routes: RouteMethods, config: GatewayConfig): EdgeAnswer | undefined {
  if (req.url.length > config.CP_GATEWAY_MAX_URL_BYTES) return answer(414, 'url_too_long', `the URL is longer than ${config.CP_GATEWAY_MAX_URL_BYTES} bytes`);
  const path = req.url.split('?', 1)[0];
  const { check: key, keyId } = keys.identify(req.headers.authorization);
  req.authenticated = key === 'ok';
  req.keyId = keyId;
  if (key === 'invalid') return answer(401, 'invalid_api_key', 'invalid API key');
  if (key === 'missing' && !(OPEN_ROUTES.has(req.routeOptions.url ?? '') && !req.is404)) return answer(401, 'missing_api_key', 'missing bearer API key in the Authorization header');
  if (!req.is404) return undefined;
  const allowed = routes.allowed(path);
  if (allowed.length === 0) return answer(404, 'not_found', 'no such route');
  return { ...answer(405, 'method_not_allowed', `${req.method} is not allowed here; allowed: ${allowed.join(', ')}`), allow: allowed.join(', ') };
}
