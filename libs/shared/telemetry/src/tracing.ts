import { context, propagation, trace, type Context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { RedactingSpanExporter } from './redacting-exporter';
import { SyncContextManager } from './sync-context-manager';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /** OTLP/HTTP base endpoint (`http://host:4318`); tracing exports nothing when absent. */
  otlpEndpoint?: string;
  /**
   * The OTLP/HTTP encoding: `http/protobuf` (the OpenTelemetry default; about a third of the CPU and
   * 40 % of the bytes of JSON per span, docs/performance.md) or `http/json`. Default `http/protobuf`.
   */
  otlpProtocol?: OtlpProtocol;
  /**
   * How the active trace context follows the code: `async` (the SDK's AsyncLocalStorage manager,
   * across every await) or `explicit` (`SyncContextManager`: synchronous calls only, the code passes
   * the request's context where it starts spans after an await). Default `async`.
   */
  contextPropagation?: ContextPropagation;
  /**
   * How spans are exported: every `scheduledDelayMillis`, at most `maxExportBatchSize` per export
   * (an export serialises its batch in one go on the event loop), at most `maxQueueSize` waiting.
   */
  spanBatches: SpanBatches;
}

export interface SpanBatches {
  scheduledDelayMillis: number;
  maxExportBatchSize: number;
  maxQueueSize: number;
}

export type ContextPropagation = 'async' | 'explicit';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface Telemetry {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK with an OTLP/HTTP exporter (protobuf by default) and no auto-instrumentation: the request
 * path is instrumented by hand (HTTP edge, NATS hops, provider calls), which keeps its CPU cost known.
 */
export function initTelemetry(opts: TelemetryOptions): Telemetry {
  if (!opts.otlpEndpoint) {
    return { tracer: trace.getTracer(opts.serviceName, opts.serviceVersion), shutdown: async () => undefined };
  }
  // Every span leaves through the redacting exporter: no secret in names, attributes, events or status.
  const url = `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
  const exporter = new RedactingSpanExporter(opts.otlpProtocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtobufExporter({ url }));
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName, [ATTR_SERVICE_VERSION]: opts.serviceVersion }),
    spanProcessors: [new BatchSpanProcessor(exporter, opts.spanBatches)],
    instrumentations: [],
    autoDetectResources: false,
    ...(opts.contextPropagation === 'explicit' ? { contextManager: new SyncContextManager() } : {}),
  });
  sdk.start();
  return { tracer: trace.getTracer(opts.serviceName, opts.serviceVersion), shutdown: () => sdk.shutdown() };
}

/** The server span of one HTTP request: `<METHOD> <path>` (the query left out), with the method and path as attributes. */
export function startHttpServerSpan(tracer: Tracer, method: string, url: string): Span {
  const path = url.split('?')[0];
  return tracer.startSpan(`${method} ${path}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } });
}

/** Ends a server span with its answer's status code; a 5xx marks the span as an error. */
export function endHttpServerSpan(span: Span, statusCode: number): void {
  span.setAttribute('http.response.status_code', statusCode);
  if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** The W3C `traceparent` of the active span, or null when none is recording. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

export { SpanKind, SpanStatusCode, context, trace, propagation };
export type { Span, Tracer, Context };
