import { Inject, Injectable } from '@nestjs/common';
import { RequestCompleted, RouterComplete, type PayloadOf, type ChatCompletionRequest, type ChatCompletionResponse, type CompleteReply } from '@cp/shared/contracts';
import { BusRequestError, NatsBus } from '@cp/shared/messaging';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';
import { GatewayError } from './gateway-error';

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
    if (request.stream) throw GatewayError.invalidRequest('streaming is not enabled on this gateway yet', 'stream', 'stream_unsupported');
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

  private record(
    requestId: string,
    request: ChatCompletionRequest,
    receivedAt: Date,
    started: number,
    result: Omit<RequestCompletedPayload, 'requestId' | 'model' | 'stream' | 'timings'> & { routerMs?: number },
  ): void {
    const { routerMs, ...rest } = result;
    this.bus.publish(
      RequestCompleted,
      { requestId, model: request.model, stream: request.stream === true, timings: { receivedAt: receivedAt.toISOString(), totalMs: performance.now() - started, routerMs }, ...rest },
      { streamId: `request:${requestId}`, correlationId: requestId },
    );
  }
}

type RequestCompletedPayload = PayloadOf<typeof RequestCompleted>;

function routerUnavailable(err: unknown): GatewayError {
  if (err instanceof BusRequestError && err.code === 'BUS.TIMEOUT') return new GatewayError(504, 'router_timeout', 'timeout', 'the router did not answer within the request deadline');
  return new GatewayError(503, 'router_unavailable', 'service_unavailable', 'the router is not reachable');
}
