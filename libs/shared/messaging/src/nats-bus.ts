import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { EVENT_SUBJECT_FILTER, MessageParked, newId, processSecrets, storableJson, type EventDefinition, type EventEnvelope, type RpcDefinition, type RpcError } from '@cp/shared/contracts';
import { currentTraceparent, extractTraceContext, injectTraceHeaders, SpanKind, context, trace, SpanStatusCode, type Context, type Tracer } from '@cp/shared/telemetry';
import type { z } from 'zod';
import { DeadLetters } from './dead-letters';
import { ConnectionWatch, type ConnectionState } from './connection-watch';
import { BusRequestError, mapRequestError, tooLargeError } from './errors';
import { EventPublisher, type PendingEvent } from './event-publisher';
import type { SpooledEvent } from './spool-journal';
import { ReplyMux } from './reply-mux';

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
  /** The connection was lost or is back (every outage and recovery is logged by the runtime). */
  onConnection?: (state: ConnectionState) => void;
  /** How long published events wait to share a JetStream message (`CP_EVENTS_LINGER_MS`); 0, the default here: the end of the tick. */
  eventsLingerMs?: number;
}


export interface PublishArgs {
  streamId: string;
  correlationId: string;
  causationId?: string | null;
  /** Sent at the end of this tick instead of after the linger (what other replicas must see at once: breaker transitions). */
  prompt?: boolean;
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
  /** Where every consumer parks a message it cannot handle (see `DeadLetters`). */
  readonly deadLetters: DeadLetters;
  private readonly mux: ReplyMux;
  private readonly subs: Subscription[] = [];
  private readonly watch: ConnectionWatch;

  private constructor(
    readonly nc: NatsConnection,
    private readonly opts: BusOptions,
  ) {
    this.js = jetstream(nc);
    this.mux = new ReplyMux(nc);
    this.events = new EventPublisher((ev) => this.publishAcked(ev), (err, ev) => this.reportError(err, `publish ${ev.subject}`), undefined, opts.eventsLingerMs ?? 0);
    this.deadLetters = new DeadLetters({
      js: this.js,
      jsm: () => this.jsm(),
      stream: `${opts.stream}_PARKED`,
      subjectFor: (consumer) => this.subject(`cp-parked.${consumer}`),
      publishEvent: (payload, correlationId) => void this.publish(MessageParked, payload, { streamId: `parked:${payload.consumer}`, correlationId }),
    });
    this.watch = new ConnectionWatch(nc, opts.onConnection);
  }

  connectionState(): ConnectionState {
    return this.watch.state();
  }

  static async connect(opts: BusOptions): Promise<NatsBus> {
    // noAsyncTraces: the client would otherwise build an Error (with a stack trace) for every request
    // and JetStream publish, in case it fails; that was ~18% of the gateway's CPU at saturation.
    const nc = await connect({ servers: opts.servers, name: opts.service, maxReconnectAttempts: -1, reconnectTimeWait: 500, noAsyncTraces: true });
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

  /** Creates the event stream and its dead-letter stream when missing (file storage, 2-minute duplicate window); idempotent. */
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
    await this.deadLetters.ensureStream();
  }

  /**
   * Publishes an event without waiting for JetStream's ack: the ack is handled off the caller's path,
   * and a failed publish is retried from a bounded buffer. What is sent is made storable first (no
   * NUL, no unpaired surrogate: see `storableJson`) and free of secrets (`processSecrets`). Returns
   * the envelope as built.
   */
  publish<D extends EventDefinition>(def: D, payload: z.infer<D['schema']>, args: PublishArgs): EventEnvelope<z.infer<D['schema']>> {
    const envelope: EventEnvelope<z.infer<D['schema']>> = {
      id: newId(),
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
    const pending: PendingEvent = { subject: this.subject(def.subject), id: envelope.id, ids: [envelope.id], correlationId: envelope.correlationId, data: enc.encode(processSecrets.redactJson(storableJson(JSON.stringify(envelope)))), traceparent: envelope.traceparent, attempts: 0, count: 1 };
    this.events.publish(pending, args.prompt === true);
    return envelope;
  }

  /** Re-publishes the events a dead process journalled and never got acknowledged, in the messages they were sent in (same ids, same bytes). */
  republish(events: readonly SpooledEvent[]): void {
    this.events.publishRecovered(events);
  }

  /** Journals that a request is about to reach a provider (see `EventSpool.recordBegin`); a no-op without a spool. */
  begin(requestId: string, info: Record<string, unknown>): void {
    this.events.spool?.recordBegin(requestId, info);
  }

  /**
   * One event to JetStream, as a core publish with a reply subject (what the JetStream client does
   * too, through the client's request path): the stream answers with its PubAck, or an error.
   * `Nats-Msg-Id` = event id, so a retry of an event that did land is dropped as a duplicate.
   */
  private async publishAcked(ev: PendingEvent): Promise<void> {
    const h = natsHeaders();
    h.set('Nats-Msg-Id', ev.id);
    if (ev.traceparent) h.set('traceparent', ev.traceparent);
    const reply = await this.mux.request(ev.subject, ev.data, 5000, h);
    let ack: { stream?: unknown; error?: { code?: number; err_code?: number; description?: string } };
    try {
      ack = reply.json();
    } catch {
      throw new Error(`unreadable JetStream ack for ${ev.subject}`);
    }
    if (ack.error) throw new Error(`JetStream refused ${ev.subject}: ${ack.error.description ?? 'error'} (${ack.error.err_code ?? ack.error.code ?? '?'})`);
    if (typeof ack.stream !== 'string') throw new Error(`no JetStream ack for ${ev.subject}`);
  }

  /**
   * Sends a request and parses the reply with the contract's schema; one `send` span per call, the
   * child of `parent` (a request's trace context passed explicitly) or else of the active context.
   */
  async request<Req extends z.ZodType, Rep extends z.ZodType>(rpc: RpcDefinition<Req, Rep>, payload: z.infer<Req>, timeoutMs: number, parent: Context = context.active()): Promise<z.infer<Rep>> {
    const subject = this.subject(rpc.subject);
    const span = this.opts.tracer.startSpan(`send ${rpc.subject}`, { kind: SpanKind.CLIENT, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject } }, parent);
    const h = natsHeaders();
    injectTraceHeaders(h, trace.setSpan(parent, span));
    try {
      const msg = await this.mux.request(subject, enc.encode(JSON.stringify(payload)), Math.max(1, Math.floor(timeoutMs)), h);
      const parsed = rpc.reply.safeParse(msg.json());
      if (!parsed.success) throw new BusRequestError('BUS.BAD_REPLY', rpc.subject, `malformed reply on ${rpc.subject}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return parsed.data as z.infer<Rep>;
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

  private handle<Req extends z.ZodType, Rep extends z.ZodType>(rpc: RpcDefinition<Req, Rep>, handler: RpcHandler<z.infer<Req>, z.infer<Rep>>, errorReply: RpcErrorReply<z.infer<Rep>>, msg: Msg): Promise<void> {
    return this.process(rpc, errorReply, msg, (req) => handler(req, msg), (rep) => this.respond(msg, rpc.subject, rep));
  }

  /** One reply; one the server would refuse (over its max payload) throws here instead of being dropped on the way. */
  private respond(msg: Msg, subject: string, reply: unknown): void {
    const data = enc.encode(processSecrets.redactJson(JSON.stringify(reply)));
    const tooLarge = tooLargeError(subject, data.length, this.nc.info?.max_payload);
    if (tooLarge) throw tooLarge;
    msg.respond(data);
  }

  /**
   * One served request, in a `process` span continuing the caller's trace: parse with the contract
   * (an unparseable request is answered with a 400-shaped error and never reaches the handler), run
   * the handler, answer once; a handler that throws is answered with a 500-shaped error.
   */
  private async process<Req extends z.ZodType, Rep extends z.ZodType>(
    rpc: RpcDefinition<Req, Rep>,
    errorReply: RpcErrorReply<z.infer<Rep>>,
    msg: Msg,
    run: (request: z.infer<Req>) => Promise<unknown> | unknown,
    answer: (reply: unknown) => void,
  ): Promise<void> {
    const parent = extractTraceContext(msg.headers);
    const span = this.opts.tracer.startSpan(`process ${rpc.subject}`, { kind: SpanKind.SERVER, attributes: { 'messaging.system': 'nats' } }, parent);
    // Events the handler published go out before its reply, so whoever reads the reply can find
    // them (another replica asked right after a probe sees its result); an answer that cannot be
    // sent (too large for the bus, not serialisable) is replaced by a short error reply, so the
    // caller is answered at once instead of waiting for its deadline; one that still cannot be
    // sent (the connection closing) is reported, never thrown out of here.
    const reply = (value: unknown) => {
      this.events.sendPending();
      try {
        answer(value);
      } catch (err) {
        this.reportError(err, `answer ${rpc.subject}`);
        const message = `the ${rpc.subject} reply could not be sent: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
        try {
          answer(errorReply({ status: 502, code: 'BUS.REPLY_UNSENDABLE', type: 'server_error', message }));
        } catch (again) {
          this.reportError(again, `answer ${rpc.subject}`);
        }
      }
    };
    await context.with(trace.setSpan(parent, span), async () => {
      try {
        let body: unknown;
        try {
          body = msg.json();
        } catch {
          body = undefined;
        }
        const parsed = rpc.request.safeParse(body);
        if (!parsed.success) return reply(errorReply({ status: 400, code: 'BUS.BAD_REQUEST', type: 'invalid_request_error', message: `invalid ${rpc.subject} request` }));
        reply(await run(parsed.data as z.infer<Req>));
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        this.reportError(err, `handler ${rpc.subject}`);
        reply(errorReply({ status: 500, code: 'INTERNAL', type: 'server_error', message: 'internal error' }));
      } finally {
        span.end();
      }
    });
  }

  private reportError(err: unknown, where: string): void {
    this.opts.onError?.(err, where);
  }

  /**
   * Round-trips to the server, so every subscription made so far (`serve`) is
   * registered there: a request sent by anyone after this resolves reaches this handler.
   */
  async ready(): Promise<void> {
    await this.nc.flush();
  }

  /** Waits for pending event acks (bounded), then drains subscriptions and closes the connection. */
  async close(flushTimeoutMs = 5000): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.events.flush(flushTimeoutMs);
    // Drain first: replies already on their way are still delivered; then nothing can wait any more.
    await this.nc.drain();
    this.mux.close();
    this.events.spool?.close();
  }
}
