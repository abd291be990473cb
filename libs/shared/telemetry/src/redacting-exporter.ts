import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { processSecrets, type SecretRedactor } from '@cp/shared/contracts';

/**
 * Wraps the span exporter so that no exported span carries a secret: span names, string
 * attributes, event names and attributes (a recorded exception's message) and the status message go
 * through `processSecrets`. A span with nothing to redact is passed as it is; one with something is
 * passed as a view over the original with the redacted fields (the SDK's spans are read-only).
 * Runs in the batch processor, off the request path.
 */
export class RedactingSpanExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly secrets: SecretRedactor = processSecrets,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans.map((span) => redactSpan(span, this.secrets)), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export function redactSpan(span: ReadableSpan, secrets: SecretRedactor): ReadableSpan {
  const attributes = redactAttributes(span.attributes, secrets);
  const events = redactEvents(span.events, secrets);
  const name = secrets.redact(span.name);
  const message = span.status.message === undefined ? undefined : secrets.redact(span.status.message);
  const changed = attributes !== span.attributes || events !== span.events || name !== span.name || message !== span.status.message;
  if (!changed) return span;
  return Object.create(span, {
    name: { value: name },
    attributes: { value: attributes },
    events: { value: events },
    status: { value: { ...span.status, ...(message === undefined ? {} : { message }) } },
  }) as ReadableSpan;
}

/** The events with their secrets redacted: the same array when none had any (nothing is copied per span). */
function redactEvents(events: TimedEvent[], secrets: SecretRedactor): TimedEvent[] {
  let copy: TimedEvent[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const redacted = redactEvent(events[i], secrets);
    if (redacted === events[i]) continue;
    copy ??= events.slice();
    copy[i] = redacted;
  }
  return copy ?? events;
}

function redactEvent(event: TimedEvent, secrets: SecretRedactor): TimedEvent {
  const name = secrets.redact(event.name);
  const attributes = event.attributes ? redactAttributes(event.attributes, secrets) : undefined;
  return name === event.name && attributes === event.attributes ? event : { ...event, name, attributes };
}

function redactAttributes(attributes: Attributes, secrets: SecretRedactor): Attributes {
  let copy: Attributes | undefined;
  // for...in over the span's own plain object: no [key, value] array per attribute, as Object.entries makes.
  for (const key in attributes) {
    const value = attributes[key];
    const redacted = redactValue(value, secrets);
    if (redacted === value) continue;
    copy ??= { ...attributes };
    copy[key] = redacted;
  }
  return copy ?? attributes;
}

function redactValue(value: AttributeValue | undefined, secrets: SecretRedactor): AttributeValue | undefined {
  if (typeof value === 'string') return secrets.redact(value);
  if (!Array.isArray(value) || !value.some((v) => typeof v === 'string' && secrets.mightContain(v))) return value;
  return value.map((v) => (typeof v === 'string' ? secrets.redact(v) : v)) as AttributeValue;
}
