import { RequestCompleted, roundUsd, type ChatCompletionRequest, type PayloadOf } from '@cp/shared/contracts';
import type { NatsBus, RecoveredSpool } from '@cp/shared/messaging';
import { context, type Context } from '@cp/shared/telemetry';

type RequestCompletedPayload = PayloadOf<typeof RequestCompleted>;

/** What a request's outcome adds to its ledger event; `routerMs` is the time spent in the completion pipeline. */
export type Recorded = Omit<RequestCompletedPayload, 'requestId' | 'model' | 'stream' | 'timings'> & { routerMs?: number; firstChunkMs?: number };

/** One request on its way through the gateway: when it came, and how to write its one ledger event. */
export class RequestLedger {
  readonly receivedAt = new Date();
  readonly started = performance.now();

  constructor(
    private readonly bus: NatsBus,
    readonly requestId: string,
    private readonly request: ChatCompletionRequest,
    /** Sees each recorded payload (the metrics); must be cheap and must not throw. */
    private readonly observe?: (payload: RequestCompletedPayload) => void,
    /** The request's trace context: the ledger event's `traceparent` names its trace. */
    private readonly traceContext: Context = context.active(),
  ) {
    // Journalled before any provider is called: if this process dies before `record`, the next one records it as abandoned.
    bus.begin(requestId, { model: request.model, stream: request.stream === true, receivedAt: this.receivedAt.toISOString() });
  }

  /** Milliseconds since the request came in. */
  elapsedMs(): number {
    return performance.now() - this.started;
  }

  /**
   * Publishes `gateway.request-completed` without waiting for JetStream: the bus keeps it in its
   * bounded buffer and retries until the stream takes it, so a NATS outage never fails a request.
   */
  record(result: Recorded): void {
    const { routerMs, firstChunkMs, ...rest } = result;
    const costUsd = totalCost(rest.trail);
    const payload: RequestCompletedPayload = {
      requestId: this.requestId,
      model: this.request.model,
      stream: this.request.stream === true,
      timings: { receivedAt: this.receivedAt.toISOString(), totalMs: this.elapsedMs(), routerMs, firstChunkMs },
      ...rest,
      ...(costUsd === undefined ? {} : { costUsd }),
    };
    context.with(this.traceContext, () => this.bus.publish(RequestCompleted, payload, { streamId: `request:${this.requestId}`, correlationId: this.requestId }));
    this.observe?.(payload);
  }
}

/**
 * Records the requests that a gateway process which died was holding (journalled begins without a
 * ledger event), so every request that may have reached a provider is in the ledger.
 */
export function recordAbandoned(bus: NatsBus, recovered: RecoveredSpool[]): number {
  let n = 0;
  for (const { abandoned } of recovered) {
    for (const { requestId, info } of abandoned) {
      const receivedAt = typeof info.receivedAt === 'string' ? info.receivedAt : new Date().toISOString();
      bus.publish(
        RequestCompleted,
        {
          requestId,
          status: 0,
          outcome: 'abandoned',
          model: typeof info.model === 'string' ? info.model : undefined,
          stream: info.stream === true,
          timings: { receivedAt, totalMs: Math.max(0, Date.now() - Date.parse(receivedAt)) },
          error: { code: 'GATEWAY.DIED', message: 'the gateway holding this request stopped before answering; the provider may have served it' },
        },
        { streamId: `request:${requestId}`, correlationId: requestId },
      );
      n++;
    }
  }
  return n;
}

/** The request's cost: the sum of its attempts' costs, when any attempt has one. */
function totalCost(trail: RequestCompletedPayload['trail']): number | undefined {
  const costs = (trail?.attempts ?? []).flatMap((a) => (a.costUsd === undefined ? [] : [a.costUsd]));
  return costs.length === 0 ? undefined : roundUsd(costs.reduce((sum, c) => sum + c, 0));
}
