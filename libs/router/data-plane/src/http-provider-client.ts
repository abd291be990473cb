import { stringifyRequestBody } from '@cp/shared/contracts';
import { GenAi, SpanStatusCode, context, injectTraceHeaders, trace, type Context, type Span, type Tracer } from '@cp/shared/telemetry';
import type { LookupFunction } from 'node:net';
import { finished, type Readable } from 'node:stream';
import { Pool, errors as undiciErrors } from 'undici';
import { CallAbort, type CancelSignal } from './call-abort';
import { hostMapLookup } from './host-map';
import { startProviderCallSpan } from './provider-span';

export interface ProviderTimeouts {
  connectMs: number;
  firstByteMs: number;
  totalMs: number;
}

export interface ProviderHttpRequest {
  provider: string;
  model: string;
  baseUrl: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  timeouts: ProviderTimeouts;
  /** Absolute deadline of the whole client request (epoch ms): no call outlives it. */
  deadlineAt: number;
  /** Aborts the call (the client went away). */
  signal?: CancelSignal;
  /** More attributes for the call's span (attempt number, breaker state seen, failover). */
  attributes?: Record<string, string | number | boolean>;
  /** The span's parent context (the request's); the active context when absent. */
  parent?: Context;
}

export type TransportFailure = { kind: 'timeout'; phase: 'connect' | 'first-byte' | 'total' } | { kind: 'connect' } | { kind: 'reset' } | { kind: 'too-large' };

/** The largest provider reply read by default (`CP_PROVIDER_MAX_REPLY_BYTES`): 16 MiB. */
export const DEFAULT_MAX_REPLY_BYTES = 16 * 1024 * 1024;

export class ProviderTransportError extends Error {
  constructor(readonly failure: TransportFailure, message: string) {
    super(message);
    this.name = 'ProviderTransportError';
  }
}

export interface ProviderHttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The whole body, parsed; a body over the reply limit throws `ProviderTransportError` (`too-large`) as soon as it passes it. */
  json(): Promise<unknown>;
  /** The whole body as text, with the same limit. */
  text(): Promise<string>;
  body: AsyncIterable<Buffer>;
  /** The reply limit in bytes, for a reader that buffers from `body` itself (one SSE event). */
  maxBytes: number;
}

/** Where a call goes: the pool's origin, the span's server address and port, the request's path. */
interface Target {
  origin: string;
  hostname: string;
  port: number;
  path: string;
}

/** Base URL and path pairs whose parse is kept. */
const MAX_TARGETS = 256;

/**
 * HTTP to providers: one keep-alive pool per origin, connect / first-byte / total timeouts, and a
 * client span (`chat <model>`, GenAI attributes) whose context travels in the `traceparent` header.
 */
export class HttpProviderClient {
  private readonly pools = new Map<string, Pool>();

  private readonly targets = new Map<string, Target>();

  private readonly lookup?: LookupFunction;

  /** `hosts`: provider hosts pinned or blocked (see `parseHostMap`); others resolve through DNS. */
  constructor(
    private readonly tracer: Tracer,
    hosts?: ReadonlyMap<string, string | null>,
    private readonly maxReplyBytes = DEFAULT_MAX_REPLY_BYTES,
  ) {
    if (hosts && hosts.size > 0) this.lookup = hostMapLookup(hosts);
  }

  /** A provider URL as the call needs it, parsed once per base URL and path (the registry's, so few; the map is emptied past `MAX_TARGETS`). */
  private target(baseUrl: string, path: string): Target {
    const key = `${baseUrl} ${path}`;
    const known = this.targets.get(key);
    if (known) return known;
    const url = new URL(baseUrl.replace(/\/$/, '') + path);
    const target: Target = { origin: url.origin, hostname: url.hostname, port: Number(url.port) || 80, path: url.pathname + url.search };
    if (this.targets.size >= MAX_TARGETS) this.targets.clear();
    this.targets.set(key, target);
    return target;
  }

  private pool(origin: string, connectMs: number): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000, connect: { timeout: connectMs, ...(this.lookup ? { lookup: this.lookup } : {}) } });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Sends the request; resolves when the response headers arrive (the caller reads the body). */
  async send<T>(req: ProviderHttpRequest, read: (res: ProviderHttpResponse, span: Span) => Promise<T>): Promise<T> {
    const url = this.target(req.baseUrl, req.path);
    const parent = req.parent ?? context.active();
    const span = startProviderCallSpan(this.tracer, req, url, parent);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...req.headers };
    injectTraceHeaders({ get: (k) => headers[k] ?? '', set: (k, v) => void (headers[k] = v), keys: () => Object.keys(headers) }, trace.setSpan(parent, span));
    const remaining = Math.max(1, req.deadlineAt - Date.now());
    const totalMs = Math.min(req.timeouts.totalMs, remaining);
    const controller = new CallAbort();
    const totalTimer = setTimeout(() => controller.abort(), totalMs);
    const cancel = () => controller.abort();
    req.signal?.addEventListener('abort', cancel, { once: true });
    try {
      const res = await this.pool(url.origin, req.timeouts.connectMs).request({
        path: url.path,
        method: 'POST',
        headers,
        body: stringifyRequestBody(req.body),
        headersTimeout: Math.min(req.timeouts.firstByteMs, totalMs),
        bodyTimeout: totalMs,
        signal: controller,
      });
      span.setAttribute('http.response.status_code', res.statusCode);
      const text = () => readCapped(res.body, this.maxReplyBytes, controller);
      const out = await read({
        status: res.statusCode,
        headers: res.headers,
        json: async () => JSON.parse(await text()) as unknown,
        text,
        body: res.body,
        maxBytes: this.maxReplyBytes,
      }, span);
      return out;
    } catch (err) {
      const mapped = mapTransportError(err, controller.aborted);
      if (mapped instanceof ProviderTransportError) span.setAttribute(GenAi.errorType, mapped.failure.kind);
      span.recordException(mapped);
      span.setStatus({ code: SpanStatusCode.ERROR, message: mapped.message });
      throw mapped;
    } finally {
      clearTimeout(totalTimer);
      req.signal?.removeEventListener('abort', cancel);
      span.end();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }
}

/**
 * Reads a body up to `max` bytes; past it the call is aborted at once (a reply the gateway would
 * not carry is never read to its end, however long the provider keeps sending). The chunks come as
 * `data` events and the end or failure from `finished` (what the stream's async iterator waits on
 * too, so the same errors), without an async generator and a promise per chunk.
 */
function readCapped(body: Readable, max: number, controller: CallAbort): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= max) return void chunks.push(chunk);
      settled = true;
      body.off('data', onData);
      stop();
      controller.abort();
      reject(replyTooLarge(max));
    };
    const stop = finished(body, { writable: false }, (err) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, bytes).toString('utf8'));
    });
    body.on('data', onData);
  });
}

/** A provider reply (or one event of a stream) over the limit the gateway carries. */
export function replyTooLarge(max: number): ProviderTransportError {
  return new ProviderTransportError({ kind: 'too-large' }, `the provider's reply exceeds the gateway's limit of ${max} bytes`);
}

function mapTransportError(err: unknown, aborted: boolean): Error {
  if (err instanceof ProviderTransportError) return err;
  if (aborted) return new ProviderTransportError({ kind: 'timeout', phase: 'total' }, 'provider call exceeded its total timeout');
  if (err instanceof undiciErrors.HeadersTimeoutError) return new ProviderTransportError({ kind: 'timeout', phase: 'first-byte' }, 'provider sent no response headers in time');
  if (err instanceof undiciErrors.ConnectTimeoutError) return new ProviderTransportError({ kind: 'timeout', phase: 'connect' }, 'provider connect timed out');
  if (err instanceof undiciErrors.BodyTimeoutError) return new ProviderTransportError({ kind: 'timeout', phase: 'total' }, 'provider body stalled');
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') return new ProviderTransportError({ kind: 'connect' }, `provider connection failed (${code})`);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return new ProviderTransportError({ kind: 'reset' }, 'provider connection reset');
  return err instanceof Error ? err : new Error(String(err));
}
