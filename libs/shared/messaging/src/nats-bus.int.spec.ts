import { z } from 'zod';
import { defineEvent, defineRpc, EventEnvelope } from '@cp/shared/contracts';
import { dropIsolation, newIsolation } from '@cp/shared/testing';
import { trace } from '@cp/shared/telemetry';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { context, propagation } from '@opentelemetry/api';
import { BusRequestError, NatsBus } from './index';

const Pinged = defineEvent('test.pinged', 1, z.object({ n: z.number() }));
const Echo = defineRpc('test', 'echo', 1, z.object({ text: z.string() }), z.object({ text: z.string(), traceparent: z.string().nullable() }));

describe('NatsBus (real NATS with JetStream)', () => {
  const iso = newIsolation('bus');
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  let a: NatsBus;
  let b: NatsBus;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    a = await NatsBus.connect({ servers: iso.natsUrl, service: 'a', namespace: iso.namespace, stream: iso.stream, tracer });
    b = await NatsBus.connect({ servers: iso.natsUrl, service: 'b', namespace: iso.namespace, stream: iso.stream, tracer });
    await a.ensureEventStream();
    await b.ensureEventStream();
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await dropIsolation(iso);
  });

  it('given an event is published, then the stream holds it once with the event id as Nats-Msg-Id, even when sent twice', async () => {
    const env = a.publish(Pinged, { n: 1 }, { streamId: 'ping:1', correlationId: 'c1' });
    expect(await a.events.flush(5000)).toBe(0);
    // Publishing the same id again is deduplicated by JetStream.
    await a.js.publish(a.subject(Pinged.subject), JSON.stringify(env), { msgID: env.id });
    const jsm = await a.jsm();
    const info = await jsm.streams.info(iso.stream);
    expect(info.state.messages).toBe(1);
    const stored = await jsm.streams.getMessage(iso.stream, { seq: 1 });
    expect(stored?.header.get('Nats-Msg-Id')).toBe(env.id);
    expect(EventEnvelope.parse(stored?.json())).toMatchObject({ type: 'test.pinged', source: 'a', payload: { n: 1 } });
  });

  it('given a request inside a span, then the handler runs in the same trace', async () => {
    b.serve(Echo, (req) => ({ text: req.text.toUpperCase(), traceparent: trace.getSpan(context.active())?.spanContext().traceId ?? null }), 'echo');
    const parent = tracer.startSpan('root');
    const reply = await context.with(trace.setSpan(context.active(), parent), () => a.request(Echo, { text: 'hi' }, 2000));
    parent.end();
    expect(reply).toEqual({ text: 'HI', traceparent: parent.spanContext().traceId });
    const names = exporter.getFinishedSpans().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['send cp.test.rpc.echo.v1', 'process cp.test.rpc.echo.v1']));
  });

  it('given nobody serves a subject, then the request fails fast with a typed error', async () => {
    const Nobody = defineRpc('nobody', 'home', 1, z.object({}), z.object({}));
    await expect(a.request(Nobody, {}, 1000)).rejects.toBeInstanceOf(BusRequestError);
  });
});
