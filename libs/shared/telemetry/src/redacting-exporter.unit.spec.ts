import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SecretRedactor } from '@cp/shared/contracts';
import { RedactingSpanExporter } from './redacting-exporter';

/** A tracer whose spans are exported through the redacting exporter, `secret` being the one secret it knows. */
function redactingProvider(secret: string) {
  const secrets = new SecretRedactor();
  secrets.add([secret]);
  const inner = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new RedactingSpanExporter(inner, secrets))] });
  return { inner, provider, tracer: provider.getTracer('test') };
}

describe('RedactingSpanExporter', () => {
  it('Given spans whose name, attributes, exception event and status hold a key, When exported, Then the exporter behind sees none of it and the rest intact', async () => {
    const { inner, provider, tracer } = redactingProvider('k7Qz');
    const span = tracer.startSpan('call k7Qz', { attributes: { 'url.full': 'http://x/?key=k7Qz', list: ['a', 'k7Qz'], n: 3 } });
    span.recordException(new Error('upstream said k7Qz'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed with k7Qz' });
    const traceId = span.spanContext().traceId;
    span.end();
    tracer.startSpan('clean', { attributes: { a: 'b' } }).end();
    await provider.forceFlush();
    const [redacted, clean] = inner.getFinishedSpans() as ReadableSpan[];
    expect(JSON.stringify({ name: redacted.name, attributes: redacted.attributes, events: redacted.events, status: redacted.status })).not.toContain('k7Qz');
    expect(redacted.attributes).toEqual({ 'url.full': 'http://x/?key=[redacted]', list: ['a', '[redacted]'], n: 3 });
    expect(redacted.status).toEqual({ code: SpanStatusCode.ERROR, message: 'failed with [redacted]' });
    expect(redacted.spanContext().traceId).toBe(traceId);
    expect(redacted.duration).toEqual(expect.any(Array));
    expect(clean.name).toBe('clean');
    await provider.shutdown();
  });

  it('Given spans with nothing to redact, an event among them, When exported, Then the exporter behind gets the very same span objects', async () => {
    const { inner, provider, tracer } = redactingProvider('k7Qz');
    const span = tracer.startSpan('clean call', { attributes: { 'server.port': 80, model: 'm' } });
    span.addEvent('retry', { attempt: 2 });
    span.end();
    await provider.forceFlush();
    const [exported] = inner.getFinishedSpans() as ReadableSpan[];
    expect(exported).toBe(span);
    expect(exported.events.map((e) => e.name)).toEqual(['retry']);
    await provider.shutdown();
  });

  it('Given the exporter behind, When export finishes, Then its result reaches the caller', async () => {
    const result = await new Promise<ExportResult>((resolve) => new RedactingSpanExporter(new InMemorySpanExporter()).export([], resolve));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
  });
});
