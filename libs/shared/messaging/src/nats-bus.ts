import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, RequestError, TimeoutError, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { EVENT_SUBJECT_FILTER, type EventDefinition, type EventEnvelope, type RpcDefinition, type RpcError } from '@cp/shared/contracts';
import { currentTraceparent, extractTraceContext, injectTraceHeaders, SpanKind, context, trace, SpanStatusCode, type Tracer } from '@cp/shared/telemetry';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import { BusRequestError } from './errors';
import { EventPublisher, type PendingEvent } from './event-publisher';

export interface BusOptions {
  servers: string;
  /** Service name: the connection name and the `source` of published events. */
  service: string;
  /** Optional subject prefix that isolates one deployment (or one test run) from another. */
  namespace?: string;
  /** JetStream stream holding every event. */
  stream: string;
  tracer: Tracer;
  onError?: (err: unknown, context: string) => void;
}

export interface PublishArgs {
  streamId: string;
  correlationId: string;
  causationId?: string | null;
}

export type RpcHandler<Req, Rep> = (request: Req, msg: Msg) => Promise<Rep> | Rep;

/** How an RPC answers a request it could not parse or a handler that threw; by default `{ error }`. */
export type RpcErrorReply<Rep> = (error: RpcError) => Rep | { error: RpcError };
const defaultErrorReply = (error: RpcError) => ({ error });

const enc = new TextEncoder();

/**
 * One NATS connection per service: typed event publishing to JetStream, typed request/reply with
 * a deadline, and W3C trace context carried in NATS headers across every hop.
 */
export class NatsBus {
  readonly js: JetStreamClient;
  readonly events: EventPublisher;
  private readonly subs: Subscription[] = [];

  private constructor(
    readonly nc: NatsConnection,
    private readonly opts: BusOptions,
  ) {
    this.js = jetstream(nc);
    this.events = new EventPublisher(this.js, (err, ev) => this.reportError(err, `publish ${ev.subject}`));
  }

  static async connect(opts: BusOptions): Promise<NatsBus> {
    const nc = await connect({ servers: opts.servers, name: opts.service, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    return new NatsBus(nc, opts);
  }

  get streamName(): string {
    return this.opts.stream;
  }

  /** Prefixes the deployment namespace, when one is configured. */
  subject(relative: string): string {
    return this.opts.namespace ? `${this.opts.namespace}.${relative}` : relative;
  }

  async jsm(): Promise<JetStreamManager> {
    return jetstreamManager(this.nc);
  }

  /** Creates the event stream when missing (file storage, 2-minute duplicate window); idempotent. */
  async ensureEventStream(): Promise<void> {
    const jsm = await this.jsm();
    const subjects = [this.subject(EVENT_SUBJECT_FILTER)];
    try {
      await jsm.streams.info(this.opts.stream);
    } catch {
      try {
        await jsm.streams.add({ name: this.opts.stream, subjects, storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: 120_000_000_000 });
      } catch (err) {
        // Another service created it between our look and our add.
        await jsm.streams.info(this.opts.stream).catch(() => {
          throw err;
        });
      }
    }
  }

  /**
   * Publishes an event without waiting for JetStream's ack: the ack is handled off the caller's path,
   * and a failed publish is retried from a bounded buffer. Returns the envelope that was sent.
   */
  publish<D extends EventDefinition>(def: D, payload: z.infer<D['schema']>, args: PublishArgs): EventEnvelope<z.infer<D['schema']>> {
    const envelope: EventEnvelope<z.infer<D['schema']>> = {
      id: uuidv7(),
      type: def.type,
      version: def.version,
      streamId: args.streamId,
      source: this.opts.service,
      occurredAt: new Date().toISOString(),
      correlationId: args.correlationId,
      causationId: args.causationId ?? null,
      traceparent: currentTraceparent(),
      payload,
    };
    const pending: PendingEvent = { subject: this.subject(def.subject), id: envelope.id, data: enc.encode(JSON.stringify(envelope)), traceparent: envelope.traceparent, attempts: 0 };
    this.events.publish(pending);
    return envelope;
  }

  /** Sends a request and parses the reply with the contract's schema; one `send` span per call. */
  async request<Req extends z.ZodType, Rep extends z.ZodType>(rpc: RpcDefinition<Req, Rep>, payload: z.infer<Req>, timeoutMs: number): Promise<z.infer<Rep>> {
    const subject = this.subject(rpc.subject);
    const span = this.opts.tracer.startSpan(`send ${rpc.subject}`, { kind: SpanKind.CLIENT, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject } });
    const h = natsHeaders();
    injectTraceHeaders(h, trace.setSpan(context.active(), span));
    try {
      const msg = await this.nc.request(subject, enc.encode(JSON.stringify(payload)), { timeout: Math.max(1, Math.floor(timeoutMs)), headers: h });
      const parsed = rpc.reply.safeParse(msg.json());
      if (!parsed.success) throw new BusRequestError('BUS.BAD_REPLY', rpc.subject, `malformed reply on ${rpc.subject}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return parsed.data;
    } catch (err) {
      const mapped = mapRequestError(err, rpc.subject, timeoutMs);
      span.setStatus({ code: SpanStatusCode.ERROR, message: mapped.message });
      throw mapped;
    } finally {
      span.end();
    }
  }

  /**
   * Serves an RPC in a queue group (replicas share the load). The request is parsed with the
   * contract; an unparseable one is answered with a 400-shaped error and never reaches the handler.
   */
  serve<Req extends z.ZodType, Rep extends z.ZodType>(rpc: RpcDefinition<Req, Rep>, handler: RpcHandler<z.infer<Req>, z.infer<Rep>>, queue: string, errorReply: RpcErrorReply<z.infer<Rep>> = defaultErrorReply): void {
    const subject = this.subject(rpc.subject);
    const sub = this.nc.subscribe(subject, {
      queue,
      callback: (err, msg) => {
        if (err) return this.reportError(err, `subscription ${subject}`);
        void this.handle(rpc, handler, errorReply, msg);
      },
    });
    this.subs.push(sub);
  }

  private async handle<Req extends z.ZodType, Rep extends z.ZodType>(rpc: RpcDefinition<Req, Rep>, handler: RpcHandler<z.infer<Req>, z.infer<Rep>>, errorReply: RpcErrorReply<z.infer<Rep>>, msg: Msg): Promise<void> {
    const parent = extractTraceContext(msg.headers);
    const span = this.opts.tracer.startSpan(`process ${rpc.subject}`, { kind: SpanKind.SERVER, attributes: { 'messaging.system': 'nats' } }, parent);
    await context.with(trace.setSpan(parent, span), async () => {
      try {
        let body: unknown;
        try {
          body = msg.json();
        } catch {
          body = undefined;
        }
        const parsed = rpc.request.safeParse(body);
        if (!parsed.success) {
          msg.respond(enc.encode(JSON.stringify(errorReply({ status: 400, code: 'BUS.BAD_REQUEST', type: 'invalid_request_error', message: `invalid ${rpc.subject} request` }))));
          return;
        }
        const reply = await handler(parsed.data, msg);
        msg.respond(enc.encode(JSON.stringify(reply)));
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        this.reportError(err, `handler ${rpc.subject}`);
        msg.respond(enc.encode(JSON.stringify(errorReply({ status: 500, code: 'INTERNAL', type: 'server_error', message: 'internal error' }))));
      } finally {
        span.end();
      }
    });
  }

  private reportError(err: unknown, where: string): void {
    this.opts.onError?.(err, where);
  }

  /** Waits for pending event acks (bounded), then drains subscriptions and closes the connection. */
  async close(flushTimeoutMs = 5000): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.events.flush(flushTimeoutMs);
    await this.nc.drain();
  }
}

function mapRequestError(err: unknown, subject: string, timeoutMs: number): Error {
  if (err instanceof BusRequestError) return err;
  if (err instanceof TimeoutError || (err instanceof Error && err.name === 'TimeoutError')) return new BusRequestError('BUS.TIMEOUT', subject, `no reply on ${subject} within ${timeoutMs} ms`);
  if (err instanceof RequestError && err.isNoResponders()) return new BusRequestError('BUS.NO_RESPONDERS', subject, `no service is listening on ${subject}`);
  if (err instanceof Error && /no responders/i.test(err.message)) return new BusRequestError('BUS.NO_RESPONDERS', subject, `no service is listening on ${subject}`);
  if (err instanceof Error && /closed|draining/i.test(err.message)) return new BusRequestError('BUS.CLOSED', subject, 'connection closed');
  return err instanceof Error ? err : new Error(String(err));
}
