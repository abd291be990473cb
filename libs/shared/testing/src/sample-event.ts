import type { EventEnvelope } from '@cp/shared/contracts';
import { newId } from '@cp/shared/contracts';

/** A `gateway.request-completed` envelope numbered n (its own stream, a millisecond apart), for store tests. */
export function sampleEvent(n: number, payload: Record<string, unknown> = { n }): EventEnvelope {
  return {
    id: newId(),
    type: 'gateway.request-completed',
    version: 1,
    streamId: `request:${n}`,
    source: 'test',
    occurredAt: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, n)).toISOString(),
    correlationId: `req-${n}`,
    causationId: null,
    traceparent: null,
    payload,
  };
}
