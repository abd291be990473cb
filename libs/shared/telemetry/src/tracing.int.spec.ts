import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OtlpReceiver, REPO_ROOT } from '@cp/shared/testing';
import type { OtlpProtocol } from './tracing';

// The exporters load node:http with a dynamic import, which Jest's module runtime refuses: the spans
// are made in a child process from the build, as the services make them.
const CHILD = `
const { initTelemetry, context, trace } = require(${JSON.stringify(join(REPO_ROOT, 'dist/libs/shared/telemetry/src'))});
const [url, otlpProtocol, service] = process.argv.slice(1);
const telemetry = initTelemetry({ serviceName: service, serviceVersion: '1.2.3', otlpEndpoint: url, otlpProtocol, spanBatches: { scheduledDelayMillis: 50, maxExportBatchSize: 512, maxQueueSize: 2048 } });
const parent = telemetry.tracer.startSpan('POST /v1/chat/completions', { kind: 1, attributes: { 'url.path': '/v1/chat/completions', 'http.response.status_code': 200, 'cp.ok': true, 'cp.ratio': 0.25 } });
const child = telemetry.tracer.startSpan('provider.call', { kind: 2, attributes: { 'gen_ai.usage.output_tokens': 9007199254 } }, trace.setSpan(context.active(), parent));
child.end();
parent.end();
telemetry.shutdown().then(() => process.stdout.write(JSON.stringify({ parent: parent.spanContext(), child: child.spanContext() })));
`;

describe.each<OtlpProtocol>(['http/protobuf', 'http/json'])('initTelemetry exporting %s', (otlpProtocol) => {
  const receiver = new OtlpReceiver();

  beforeAll(async () => {
    await receiver.start();
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it('delivers a parent and a child span with their ids, kind, service and attributes of every type', async () => {
    const service = `svc-${otlpProtocol.replace('/', '-')}`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', CHILD, receiver.url, otlpProtocol, service], { timeout: 20_000 });
    const made = JSON.parse(stdout) as { parent: { traceId: string; spanId: string }; child: { spanId: string } };

    const got = receiver.spans.filter((s) => s.service === service);
    expect(got).toHaveLength(2);
    const p = got.find((s) => s.name === 'POST /v1/chat/completions')!;
    const c = got.find((s) => s.name === 'provider.call')!;
    expect(p).toMatchObject({ traceId: made.parent.traceId, spanId: made.parent.spanId, parentSpanId: '' });
    expect(c).toMatchObject({ traceId: made.parent.traceId, spanId: made.child.spanId, parentSpanId: made.parent.spanId });
    // OTLP's enum is the API's kind plus one (SERVER 2, CLIENT 3).
    expect([p.kind, c.kind]).toEqual([2, 3]);
    expect(p.attributes).toEqual({ 'url.path': '/v1/chat/completions', 'http.response.status_code': 200, 'cp.ok': true, 'cp.ratio': 0.25 });
    expect(c.attributes).toEqual({ 'gen_ai.usage.output_tokens': 9007199254 });
    expect(Object.keys(receiver.contentTypes)).toEqual([otlpProtocol === 'http/protobuf' ? 'application/x-protobuf' : 'application/json']);
  });
});
