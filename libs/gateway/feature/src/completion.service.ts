import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequestCompleted, roundUsd, RouterComplete, RouterStream, type PayloadOf, type ChatCompletionRequest, type ChatCompletionResponse, type CompleteReply, type StreamEnd } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';
import { GatewayError, routerUnavailable } from './gateway-error';
import { sseData, SSE_DONE, SSE_HEADERS } from './sse';

type RequestCompletedPayload = PayloadOf<typeof RequestCompleted>;
type Recorded = Omit<RequestCompletedPayload, 'requestId' | 'model' | 'stream' | 'timings'> & { routerMs?: number; firstChunkMs?: number };

/**
 * One completion: a single hop to the router, then one ledger event published without waiting for
 * its JetStream ack. The router's decision trail travels back in its reply and into the event.
 */
@Injectable()
export class CompletionService {
  constructor(
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async complete(requestId: string, request: ChatCompletionRequest): Promise<ChatCompletionResponse> {
    const receivedAt = new Date();
    const started = performance.now();
    const deadlineAt = Date.now() + this.config.CP_REQUEST_DEADLINE_MS;
    let reply: CompleteReply;
    try {
      reply = await this.bus.request(RouterComplete, { requestId, deadlineAt, request }, this.config.CP_REQUEST_DEADLINE_MS + 1000);
    } catch (err) {
      const error = routerUnavailable(err);
      this.record(requestId, request, receivedAt, started, { status: error.status, outcome: 'error', error: { code: error.code, message: error.message } });
      throw error;
    }
    const routerMs = performance.now() - started;
    if (!reply.ok) {
      this.record(requestId, request, receivedAt, started, { status: reply.error.status, outcome: 'error', error: { code: reply.error.code, message: reply.error.message }, trail: reply.trail, routerMs });
      throw new GatewayError(reply.error.status, reply.error.code, reply.error.type, reply.error.message);
    }
    this.record(requestId, request, receivedAt, started, { status: 200, outcome: 'ok', provider: reply.provider, providerModel: reply.model, usage: reply.response.usage, trail: reply.trail, routerMs });
    return reply.response;
  }

  /**
   * Streams a completion as OpenAI SSE. Until the first chunk arrives nothing is written, so a
   * failure (after the router's failovers) is still an ordinary JSON error with its status; the
   * returned promise rejects with it. After the first chunk, a failure ends the stream with an
   * error event and no `[DONE]`, and the ledger event says `incomplete`. A client that goes away
   * cancels the upstream call.
   */
  stream(requestId: string, request: ChatCompletionRequest, reply: FastifyReply): Promise<void> {
    const receivedAt = new Date();
    const started = performance.now();
    const deadlineAt = Date.now() + this.config.CP_REQUEST_DEADLINE_MS;
    const raw = reply.raw;
    let headersSent = false;
    let clientGone = false;
    let firstChunkMs: number | undefined;
    let corked = false;
    return new Promise<void>((resolve, reject) => {
      const open = () => {
        headersSent = true;
        firstChunkMs = performance.now() - started;
        reply.hijack();
        raw.writeHead(200, { ...SSE_HEADERS, 'x-request-id': requestId });
      };
      const fail = (error: GatewayError, extra: Partial<Recorded> = {}) => {
        this.record(requestId, request, receivedAt, started, { status: headersSent ? 200 : error.status, outcome: headersSent ? 'incomplete' : 'error', error: { code: error.code, message: error.message }, firstChunkMs, ...extra });
        if (!headersSent) return reject(error);
        if (!clientGone) raw.end(sseData(JSON.stringify({ error: { message: error.message, type: error.type, code: error.code, param: null } })));
        resolve();
      };
      const stream = this.bus.openStream(RouterStream, { requestId, deadlineAt, request }, this.config.CP_REQUEST_DEADLINE_MS + 1000, {
        onChunk: (data) => {
          if (!headersSent) open();
          if (clientGone) return;
          // The chunks of one bus frame go to the socket in one write.
          if (!corked) {
            corked = true;
            raw.cork();
            process.nextTick(() => {
              corked = false;
              raw.uncork();
            });
          }
          raw.write(sseData(data));
        },
        onEnd: (end: StreamEnd) => {
          const routerMs = performance.now() - started;
          if (!end.ok) {
            const error = clientGone ? new GatewayError(499, 'client_closed', 'invalid_request_error', 'the client closed the connection') : new GatewayError(end.error.status, end.error.code, end.error.type, end.error.message);
            return fail(error, { provider: end.provider, providerModel: end.model, usage: end.usage, trail: end.trail, routerMs });
          }
          if (!headersSent) open();
          this.record(requestId, request, receivedAt, started, { status: 200, outcome: 'ok', provider: end.provider, providerModel: end.model, usage: end.usage, trail: end.trail, routerMs, firstChunkMs });
          if (!clientGone) raw.end(SSE_DONE);
          resolve();
        },
        onError: (err) => fail(routerUnavailable(err)),
      });
      raw.once('close', () => {
        if (raw.writableFinished) return;
        clientGone = true;
        stream.cancel();
      });
    });
  }

  private record(requestId: string, request: ChatCompletionRequest, receivedAt: Date, started: number, result: Recorded): void {
    const { routerMs, firstChunkMs, ...rest } = result;
    const costUsd = totalCost(rest.trail);
    this.bus.publish(
      RequestCompleted,
      { requestId, model: request.model, stream: request.stream === true, timings: { receivedAt: receivedAt.toISOString(), totalMs: performance.now() - started, routerMs, firstChunkMs }, ...rest, ...(costUsd === undefined ? {} : { costUsd }) },
      { streamId: `request:${requestId}`, correlationId: requestId },
    );
  }
}

/** The request's cost: the sum of its attempts' costs, when any attempt has one. */
function totalCost(trail: RequestCompletedPayload['trail']): number | undefined {
  const costs = (trail?.attempts ?? []).flatMap((a) => (a.costUsd === undefined ? [] : [a.costUsd]));
  return costs.length === 0 ? undefined : roundUsd(costs.reduce((sum, c) => sum + c, 0));
}
