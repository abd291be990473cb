import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { RUNTIME, type ServiceRuntime } from '@cp/shared/runtime';
import { context, CpAttr, trace, type Context } from '@cp/shared/telemetry';
import type { CompletionResult, StreamResult } from '@cp/router/data-plane';
import { DataPlane } from './data-plane';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';
import { GatewayError } from './gateway-error';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { gatewayDescriberPorts, ItemDescriber } from './item-describer';
import { MemoryInjector, type MemoryMode, type MemoryTrail } from './memory-injector';
import { RequestLedger } from './request-ledger';
import { SseResponse } from './sse';

/**
 * One completion, run in this process by the data plane's pipeline (route choice, breakers,
 * provider adapters, retries, failover), then one ledger event published without waiting for its
 * JetStream ack. Nothing on the way to the provider crosses NATS.
 */
@Injectable()
export class CompletionService {
  private readonly memory: MemoryInjector;
  /** Feeds the Prometheus series from each finished request, unless `CP_GATEWAY_METRICS=off`. */
  private readonly observe: ((p: Parameters<GatewayMetrics['observe']>[0]) => void) | undefined;

  constructor(
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DataPlane) private readonly dataPlane: DataPlane,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
  ) {
    this.observe = config.CP_GATEWAY_METRICS === 'on' ? (p) => metrics.observe(p) : undefined;
    const describer = config.CP_MEMORY_DESCRIBE_MODEL === 'off' ? undefined : new ItemDescriber(gatewayDescriberPorts(bus, dataPlane.pipeline), rt.logger, { model: config.CP_MEMORY_DESCRIBE_MODEL, timeoutMs: config.CP_MEMORY_DESCRIBE_TIMEOUT_MS, concurrency: config.CP_MEMORY_DESCRIBE_CONCURRENCY, queueSize: config.CP_MEMORY_DESCRIBE_QUEUE });
    this.memory = new MemoryInjector(bus, rt.logger, { deadlineMs: config.CP_MEMORY_DEADLINE_MS, tokenBudget: config.CP_MEMORY_TOKEN_BUDGET, resultLimit: config.CP_MEMORY_RESULT_LIMIT }, describer);
  }

  /** The request's ledger (feeding the metrics); the request id goes on the HTTP server span too, so a trace is found by `cp.request.id`. */
  private ledger(requestId: string, request: ChatCompletionRequest, traceContext: Context): RequestLedger {
    trace.getSpan(traceContext)?.setAttribute(CpAttr.requestId, requestId);
    return new RequestLedger(this.bus, requestId, request, this.observe, traceContext);
  }

  /**
   * Answers on `reply`, then writes the ledger event. `memory` undefined (memory off for the key and
   * the request): no memory work at all.
   * `traceContext`: the request's (its HTTP server span), passed on explicitly to everything it causes.
   */
  async complete(requestId: string, original: ChatCompletionRequest, reply: Pick<FastifyReply, 'code' | 'send'>, memory?: MemoryMode, traceContext: Context = context.active()): Promise<void> {
    const ledger = this.ledger(requestId, original, traceContext);
    const { request, memoryTrail } = memory?.inject ? await this.withMemory(original, traceContext) : { request: original, memoryTrail: undefined };
    let result: CompletionResult;
    try {
      result = await this.dataPlane.pipeline.complete({ request, deadlineAt: this.deadlineAt(), requestId, traceContext });
    } catch (err) {
      throw this.internalError(ledger, err);
    }
    const routerMs = ledger.elapsedMs();
    if (memory) this.memory.learnLater(requestId, original, memory);
    if (!result.ok) {
      ledger.record({ status: result.error.status, outcome: 'error', error: { code: result.error.code, message: result.error.message }, trail: trailWith(result.trail, memoryTrail), routerMs });
      throw GatewayError.of(result.error);
    }
    // The answer goes out first: its ledger event and metrics are bookkeeping the client need not wait for.
    void reply.code(200).send(result.response);
    ledger.record({ status: 200, outcome: 'ok', provider: result.provider, providerModel: result.model, usage: result.response.usage, trail: trailWith(result.trail, memoryTrail), routerMs });
  }

  /** The request with its memory block (bounded by the memory deadline); called only when memory injection is on, so a request without memory does not even wait a turn for it. */
  private async withMemory(request: ChatCompletionRequest, traceContext: Context): Promise<{ request: ChatCompletionRequest; memoryTrail?: MemoryTrail }> {
    const { request: withBlock, trail } = await this.memory.inject(request, traceContext);
    return { request: withBlock, memoryTrail: trail };
  }

  /**
   * Streams a completion as OpenAI SSE, chunks going from the pipeline straight to the socket.
   * Until the first chunk nothing is written, so a failure (after every failover) is still an
   * ordinary JSON error with its status: the returned promise rejects with it. After the first
   * chunk, a failure ends the stream with an error event and no `[DONE]`, and the ledger event says
   * `incomplete`. A client that goes away aborts the upstream call.
   */
  async stream(requestId: string, original: ChatCompletionRequest, reply: FastifyReply, memory?: MemoryMode, traceContext: Context = context.active()): Promise<void> {
    const ledger = this.ledger(requestId, original, traceContext);
    const { request, memoryTrail } = memory?.inject ? await this.withMemory(original, traceContext) : { request: original, memoryTrail: undefined };
    const sse = new SseResponse(reply, requestId, ledger.started);
    let end: StreamResult;
    try {
      end = await this.dataPlane.pipeline.stream({ request, deadlineAt: this.deadlineAt(), requestId, traceContext }, { chunk: (json) => sse.write(json), signal: sse.signal, ending: () => sse.ending() });
    } catch (err) {
      const error = this.internalError(ledger, err, sse);
      if (!sse.headersSent) throw error;
      return sse.fail(error);
    }
    const routerMs = ledger.elapsedMs();
    const firstChunkMs = sse.firstChunkMs;
    // A complete stream ends first (its last chunks and `[DONE]` in one write): as in `complete`, the
    // ledger event and the metrics are bookkeeping the client need not wait for.
    if (end.ok) sse.done();
    if (memory) this.memory.learnLater(requestId, original, memory);
    if (end.ok) {
      ledger.record({ status: 200, outcome: 'ok', provider: end.provider, providerModel: end.model, usage: end.usage, trail: trailWith(end.trail, memoryTrail), routerMs, firstChunkMs });
      return;
    }
    const error = sse.clientGone ? new GatewayError(499, 'client_closed', 'invalid_request_error', 'the client closed the connection') : GatewayError.of(end.error);
    ledger.record({ status: sse.headersSent ? 200 : error.status, outcome: sse.headersSent ? 'incomplete' : 'error', error: { code: error.code, message: error.message }, provider: end.provider, providerModel: end.model, usage: end.usage, trail: trailWith(end.trail, memoryTrail), routerMs, firstChunkMs });
    if (!sse.headersSent) throw error;
    sse.fail(error);
  }

  private deadlineAt(): number {
    return Date.now() + this.config.CP_REQUEST_DEADLINE_MS;
  }

  /** The pipeline threw instead of answering (a bug, not a provider failure): logged, recorded, answered as a 500. */
  private internalError(ledger: RequestLedger, err: unknown, sse?: SseResponse): GatewayError {
    this.rt.logger.error({ requestId: ledger.requestId, err: err instanceof Error ? err.message : String(err) }, 'completion pipeline failed');
    const error = new GatewayError(500, 'INTERNAL', 'server_error', 'internal error');
    const committed = sse?.headersSent === true;
    ledger.record({ status: committed ? 200 : 500, outcome: committed ? 'incomplete' : 'error', error: { code: error.code, message: error.message }, firstChunkMs: sse?.firstChunkMs });
    return error;
  }
}

/** The pipeline's trail with what memory did for the request (nothing added when memory was off). */
function trailWith<T extends object>(trail: T, memory: MemoryTrail | undefined): T {
  return memory ? { ...trail, memory } : trail;
}
