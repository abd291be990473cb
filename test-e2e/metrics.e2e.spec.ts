import { OtlpReceiver, waitFor, type ReceivedSpan } from '@cp/shared/testing';
import { ledgerEvent, simControl as sim, startE2e, type E2e } from './support/e2e-kit';

/** The parser's output (prom2json shape). */
interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string }[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package ships no types
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => Family[];

/** `/metrics` on the running gateway, parsed with a Prometheus text-format parser; provider-call spans with their GenAI attributes. */
describe('metrics and traces: /metrics in the Prometheus text format, GenAI attributes on provider-call spans', () => {
  const otlp = new OtlpReceiver();
  let e2e: E2e;
  /**
   * Every family as the parser reads it (it throws on a malformed line). The parser merges a
   * histogram's labelled series into one, so series are read a second time with the histogram TYPE
   * lines left out: then `<name>_count`, `_sum` and `_bucket` are series of their own, with labels (merged by name).
   */
  const families = async () => {
    const res = await fetch(`${e2e.stack.gatewayUrl}/metrics`, { headers: { authorization: `Bearer ${e2e.stack.apiKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const typed = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    const series = new Map<string, Family>();
    for (const f of parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram\n/gm, ''))) series.set(f.name, { ...f, metrics: [...(series.get(f.name)?.metrics ?? []), ...f.metrics] });
    return { get: (name: string) => series.get(name) ?? typed.get(name), type: (name: string) => typed.get(name)?.type };
  };
  const samples = (f: Family | undefined, labels: Record<string, string>) => (f?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  let failedOver = '';

  beforeAll(async () => {
    const endpoint = await otlp.start();
    e2e = await startE2e({ label: 'metrics', env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
    await sim(e2e.stack).fault('qwen', { type: 'status', status: 503 });
    const { response } = await e2e.client.chat.completions.create({ model: 'qwen/qwen3-235b-a22b', messages: [{ role: 'user', content: 'fail over' }] }).withResponse();
    failedOver = response.headers.get('x-request-id')!;
    await sim(e2e.stack).clear('qwen');
    const stream = await e2e.client.chat.completions.create({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream me' }] });
    for await (const _chunk of stream) void _chunk;
    await ledgerEvent(e2e.db, failedOver);
  });

  afterAll(async () => {
    await e2e?.stop();
    await otlp.stop();
  });

  it('given no key, then /metrics is a 401 in the OpenAI shape', async () => {
    const res = await fetch(`${e2e.stack.gatewayUrl}/metrics`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
  });

  it('given a failed-over and a streamed request, then the GenAI client metrics carry their semantic-convention attributes', async () => {
    const m = await families();
    for (const name of ['gen_ai_client_token_usage', 'gen_ai_client_operation_duration_seconds', 'gen_ai_client_operation_time_to_first_chunk_seconds']) expect(m.type(name)).toBe('HISTOGRAM');
    const values = (name: string, labels: Record<string, string>) => samples(m.get(name), labels).map((s) => Number(s.value));
    const gemini = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'gemini', gen_ai_request_model: 'gemini-2.5-pro' };
    expect(values('gen_ai_client_token_usage_count', { ...gemini, gen_ai_token_type: 'input' })).toEqual([1]);
    expect(values('gen_ai_client_token_usage_sum', { ...gemini, gen_ai_token_type: 'input' })[0]).toBeGreaterThan(0);
    expect(values('gen_ai_client_token_usage_count', { ...gemini, gen_ai_token_type: 'output' })).toEqual([1]);

    expect(values('gen_ai_client_operation_duration_seconds_count', { gen_ai_provider_name: 'qwen', gen_ai_request_model: 'qwen3-235b-a22b', error_type: 'server' })).toEqual([1]);
    expect(values('gen_ai_client_operation_duration_seconds_count', { ...gemini, gen_ai_response_model: 'gemini-2.5-pro', error_type: '' })).toEqual([1]);
    expect(values('gen_ai_client_operation_time_to_first_chunk_seconds_count', { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o' })).toEqual([1]);
  });

  it("given the same requests, then the control plane's metrics show requests by route, model and status, the failover, breakers, backlog and auditor lag", async () => {
    const m = await families();
    const requests = samples(m.get('cp_gateway_request_duration_seconds_count'), { model: 'qwen/qwen3-235b-a22b', status: '200' });
    expect(requests.map((r) => [r.labels?.route, Number(r.value)])).toEqual([[expect.any(String), 1]]);
    expect(samples(m.get('cp_failovers_total'), { served_by: 'gemini/gemini-2.5-pro' }).map((s) => Number(s.value))).toEqual([1]);
    expect(samples(m.get('cp_breaker_state'), { model: 'qwen/qwen3-235b-a22b', state: 'closed' }).map((s) => s.value)).toEqual(['1']);
    expect(samples(m.get('cp_event_publish_backlog'), { state: 'buffered' })).toHaveLength(1);
    expect(Number(m.get('cp_auditor_lag_messages')?.metrics[0].value)).toBeGreaterThanOrEqual(0);
    expect(m.get('cp_auditor_answering')?.metrics[0].value).toBe('1');
    // Fed from the trail: each of the three provider calls had a request that fit (shaping level none); no tool repairs, no memory.
    expect(samples(m.get('cp_shaping_total'), { level: 'none' }).map((s) => s.value)).toEqual(['3']);
    for (const name of ['cp_repairs_total', 'cp_memory_degradations_total']) expect(m.get(name)?.metrics).toEqual([]);
  });

  it('given the failed-over request, then its provider-call spans carry the GenAI attributes, the attempt, the breaker state seen and the failover', async () => {
    const spans = await waitFor('both provider-call spans of the request', async () => {
      const calls = otlp.spans.filter((s) => s.attributes['cp.request.id'] === failedOver && s.name.startsWith('chat '));
      return calls.length === 2 ? calls : undefined;
    });
    const byName = (name: string) => spans.find((s) => s.name === name) as ReceivedSpan;
    expect(byName('chat qwen3-235b-a22b').attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'qwen',
      'gen_ai.request.model': 'qwen3-235b-a22b',
      'error.type': 'server',
      'cp.attempt': 1,
      'cp.breaker.state': 'closed',
      'cp.failover': false,
    });
    const served = byName('chat gemini-2.5-pro').attributes;
    expect(served).toMatchObject({ 'gen_ai.provider.name': 'gemini', 'gen_ai.request.model': 'gemini-2.5-pro', 'gen_ai.response.model': 'gemini-2.5-pro', 'cp.attempt': 2, 'cp.failover': true });
    expect(served['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(served['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(served['error.type']).toBeUndefined();
    // The gateway's server span carries the request id too: the way to find the trace from x-request-id.
    const root = await waitFor('the server span', async () => otlp.spans.find((s) => s.traceId === spans[0].traceId && s.parentSpanId === '' && s.attributes['cp.request.id'] === failedOver));
    expect(root.name).toBe('POST /v1/chat/completions');
  });
});
