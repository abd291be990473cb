import { z } from 'zod';
import { defineEvent, defineRpc, EventEnvelope, processSecrets } from '@cp/shared/contracts';
import { dropIsolation, newIsolation } from '@cp/shared/testing';
import { trace } from '@cp/shared/telemetry';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { context, propagation } from '@opentelemetry/api';
import { BusRequestError, eventsOf, NatsBus } from './index';

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
    await a.close(1000); // the stray event of one test is never acked
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

  it('given events published in one tick, then consecutive ones of a subject share one message, in order, and all are acked', async () => {
    const Ponged = defineEvent('test.ponged', 1, z.object({ n: z.number() }));
    const jsm = await a.jsm();
    const before = (await jsm.streams.info(iso.stream)).state.last_seq;
    const acked = a.events.snapshot().acked;
    const sent = [1, 2, 3, 4, 5].map((n) => a.publish(Pinged, { n }, { streamId: `ping:${n}`, correlationId: 'tick' }));
    sent.push(a.publish(Ponged, { n: 6 }, { streamId: 'pong:6', correlationId: 'tick' }));
    expect(await a.events.flush(5000)).toBe(0);
    expect(a.events.snapshot().acked - acked).toBe(6);
    expect((await jsm.streams.info(iso.stream)).state.last_seq).toBe(before + 2);
    const batch = await jsm.streams.getMessage(iso.stream, { seq: before + 1 });
    expect(batch?.subject).toBe(a.subject(Pinged.subject));
    expect(batch?.header.get('Nats-Msg-Id')).toBe(sent[0].id);
    expect(eventsOf(batch!.data).map((e) => EventEnvelope.parse(e).id)).toEqual(sent.slice(0, 5).map((e) => e.id));
    const single = await jsm.streams.getMessage(iso.stream, { seq: before + 2 });
    expect(eventsOf(single!.data)).toEqual([expect.objectContaining({ id: sent[5].id, type: 'test.ponged' })]);
  });

  it('given an event and an RPC reply that carry a configured key, then what reaches the stream and the caller holds it redacted', async () => {
    processSecrets.add(['bz9Xq']);
    const Said = defineEvent('test.said', 1, z.object({ text: z.string() }));
    const jsm = await a.jsm();
    const before = (await jsm.streams.info(iso.stream)).state.last_seq;
    a.publish(Said, { text: 'the provider said bz9Xq' }, { streamId: 'said:1', correlationId: 'secret' });
    expect(await a.events.flush(5000)).toBe(0);
    const stored = await jsm.streams.getMessage(iso.stream, { seq: before + 1 });
    expect(eventsOf(stored!.data)).toEqual([expect.objectContaining({ type: 'test.said', payload: { text: 'the provider said [redacted]' } })]);
    const Leaky = defineRpc('test', 'leaky', 1, z.object({ text: z.string() }), z.object({ text: z.string(), traceparent: z.string().nullable() }));
    b.serve(Leaky, (req) => ({ text: `${req.text} bz9Xq`, traceparent: null }), 'leaky');
    await b.ready();
    expect(await a.request(Leaky, { text: 'echo' }, 2000)).toEqual({ text: 'echo [redacted]', traceparent: null });
  });

  it('given a request inside a span, then the handler runs in the same trace', async () => {
    b.serve(Echo, (req) => ({ text: req.text.toUpperCase(), traceparent: trace.getSpan(context.active())?.spanContext().traceId ?? null }), 'echo');
    await b.ready();
    const parent = tracer.startSpan('root');
    const reply = await context.with(trace.setSpan(context.active(), parent), () => a.request(Echo, { text: 'hi' }, 2000));
    parent.end();
    expect(reply).toEqual({ text: 'HI', traceparent: parent.spanContext().traceId });
    const names = exporter.getFinishedSpans().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['send cp.test.rpc.echo.v1', 'process cp.test.rpc.echo.v1']));
  });

  it('given 200 concurrent requests, then each gets its own reply', async () => {
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => a.request(Echo, { text: `m${i}` }, 5000)));
    expect(replies.map((r) => r.text)).toEqual(Array.from({ length: 200 }, (_, i) => `M${i}`));
  });

  it('given a handler slower than the deadline, then the request fails with BUS.TIMEOUT and the late reply is dropped', async () => {
    const Slow = defineRpc('test', 'slow', 1, z.object({}), z.object({ ok: z.boolean() }));
    b.serve(Slow, () => new Promise((r) => setTimeout(() => r({ ok: true }), 300)), 'slow');
    await b.ready();
    await expect(a.request(Slow, {}, 50)).rejects.toMatchObject({ code: 'BUS.TIMEOUT' });
    await new Promise((r) => setTimeout(r, 400));
    expect(await a.request(Echo, { text: 'after' }, 2000)).toMatchObject({ text: 'AFTER' });
  });

  it('given a reply larger than the server carries, then the caller gets an error reply at once instead of waiting for its deadline', async () => {
    const Big = defineRpc('test', 'big', 1, z.object({}), z.union([z.object({ data: z.string() }), z.object({ error: z.object({ code: z.string(), message: z.string() }).loose() })]));
    b.serve(Big, () => ({ data: 'x'.repeat(2 * 1024 * 1024) }), 'big');
    await b.ready();
    // Before the fix the reply was dropped and this rejected with BUS.TIMEOUT after 30 s.
    const reply = await a.request(Big, {}, 30_000);
    expect(reply).toMatchObject({ error: { code: 'BUS.REPLY_UNSENDABLE', message: expect.stringContaining('max payload') } });
  });

  it('given an event on a subject outside the stream, then nobody acks it and the publisher keeps it for retry', async () => {
    const Stray = defineEvent('stray.thing', 1, z.object({}));
    const before = a.events.snapshot();
    a.publish({ ...Stray, subject: 'nowhere.stray' }, {}, { streamId: 's', correlationId: 'c' });
    await new Promise((r) => setTimeout(r, 200));
    const after = a.events.snapshot();
    expect(after.acked).toBe(before.acked);
    expect(after.buffered + after.inFlight).toBeGreaterThan(0);
  });

  it('given nobody serves a subject, then the request fails fast with a typed error', async () => {
    const Nobody = defineRpc('nobody', 'home', 1, z.object({}), z.object({}));
    await expect(a.request(Nobody, {}, 1000)).rejects.toBeInstanceOf(BusRequestError);
  });
});
