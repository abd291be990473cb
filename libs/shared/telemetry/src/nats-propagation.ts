import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

/** The subset of NATS `MsgHdrs` propagation needs; keeps this file free of the NATS client. */
export interface HeaderBag {
  get(key: string): string;
  set(key: string, value: string): void;
  keys(): string[];
}

const setter: TextMapSetter<HeaderBag> = { set: (carrier, key, value) => carrier.set(key, value) };
const getter: TextMapGetter<HeaderBag | undefined> = {
  get: (carrier, key) => carrier?.get(key) || undefined,
  keys: (carrier) => carrier?.keys() ?? [],
};

/** Writes the active trace context (W3C traceparent/tracestate) into NATS headers. */
export function injectTraceHeaders(headers: HeaderBag, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, setter);
}

/** Reads the caller's trace context from NATS headers, so the consumer's span joins its trace. */
export function extractTraceContext(headers: HeaderBag | undefined): Context {
  return propagation.extract(context.active(), headers, getter);
}
