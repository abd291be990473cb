import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PayloadOf, ProviderAttempt, RequestCompleted } from '@cp/shared/contracts';
import { GenAi, GenAiMetric, promName } from '@cp/shared/telemetry';
import { ChildCache } from './child-cache';
import { trailExtras } from './trail-extras';

type Completed = PayloadOf<typeof RequestCompleted>;

/** What the gateway reads at scrape time, not per request. */
export interface MetricSources {
  /** Each breaker's state by `provider/model`. */
  breakers(): Record<string, string>;
  /** Events published and not yet acknowledged by JetStream, and those given up on. */
  publisher(): { buffered: number; inFlight: number; dropped: number };
  /** The auditor's lag behind the event stream (messages), or null when it does not answer. */
  auditorLag(): Promise<number | null>;
}

const BREAKER_STATES = ['closed', 'half_open', 'open'] as const;
/** GenAI semantic-convention bucket boundaries (seconds; tokens). */
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const GENAI_LABELS = [GenAi.operation, GenAi.providerName, GenAi.requestModel, GenAi.responseModel].map(promName);

/**
 * The gateway's Prometheus metrics (prom-client), fed once per request from its ledger event: the
 * trail already holds route, attempts, usage and timings, so the completion path records nothing
 * itself. Label children are cached per label set (`ChildCache`), so a request costs a few map
 * lookups and histogram increments. Breakers, the publish backlog and the auditor's lag are read
 * when Prometheus scrapes.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new ChildCache(new Histogram({ name: 'cp_gateway_request_duration_seconds', help: 'Chat completion requests by routing route, requested model and HTTP status (its _count is the request rate)', labelNames: ['route', 'model', 'status'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [this.registry] }));
  private readonly failovers = new ChildCache(new Counter({ name: 'cp_failovers_total', help: 'Requests that went past a failed or skipped candidate, by route and who served them', labelNames: ['route', 'served_by'], registers: [this.registry] }));
  private readonly repairs = new ChildCache(new Counter({ name: 'cp_repairs_total', help: 'Repairs made to tool calls, by repair class (from the trail)', labelNames: ['class'], registers: [this.registry] }));
  private readonly shaping = new ChildCache(new Counter({ name: 'cp_shaping_total', help: 'Provider calls by the shaping level of their request (from the attempts in the trail)', labelNames: ['level'], registers: [this.registry] }));
  private readonly memory = new ChildCache(new Counter({ name: 'cp_memory_degradations_total', help: 'Requests served with memory degraded, by the layer that failed (from the trail)', labelNames: ['reason'], registers: [this.registry] }));
  private readonly duration = new ChildCache(new Histogram({ name: `${promName(GenAiMetric.operationDuration)}_seconds`, help: 'GenAI operation duration: each provider call', labelNames: [...GENAI_LABELS, promName(GenAi.errorType)], buckets: DURATION_BUCKETS, registers: [this.registry] }));
  private readonly tokens = new ChildCache(new Histogram({ name: promName(GenAiMetric.tokenUsage), help: 'GenAI token usage per provider call, by token type', labelNames: [...GENAI_LABELS, promName(GenAi.tokenType)], buckets: TOKEN_BUCKETS, registers: [this.registry] }));
  private readonly firstChunk = new ChildCache(new Histogram({ name: `${promName(GenAiMetric.timeToFirstChunk)}_seconds`, help: 'Time to the first chunk of a streamed completion, from the request reaching the gateway', labelNames: GENAI_LABELS, buckets: DURATION_BUCKETS, registers: [this.registry] }));

  constructor(sources: MetricSources) {
    // Event-loop lag sampled every 100 ms instead of prom-client's 10 ms: a timer waking the
    // process 100 times a second costs CPU on an idle gateway and a wake-up under load.
    collectDefaultMetrics({ register: this.registry, prefix: 'cp_gateway_', eventLoopMonitoringPrecision: 100 });
    new Gauge({
      name: 'cp_breaker_state',
      help: 'Breaker state per provider/model: 1 for the current state',
      labelNames: ['model', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [model, state] of Object.entries(sources.breakers())) for (const s of BREAKER_STATES) this.set({ model, state: s }, s === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'cp_event_publish_backlog',
      help: 'Events this gateway published that JetStream has not acknowledged yet',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const p = sources.publisher();
        this.set({ state: 'buffered' }, p.buffered);
        this.set({ state: 'in_flight' }, p.inFlight);
      },
    });
    new Gauge({
      name: 'cp_event_publish_dropped',
      help: 'Events this gateway gave up publishing since it started',
      registers: [this.registry],
      collect() {
        this.set(sources.publisher().dropped);
      },
    });
    // Both ask the same source, which keeps one answer for a few seconds (one NATS request per scrape).
    new Gauge({
      name: 'cp_auditor_lag_messages',
      help: "The auditor's lag behind the event stream, as it last answered (see cp_auditor_answering)",
      registers: [this.registry],
      async collect() {
        const lag = await sources.auditorLag();
        if (lag !== null) this.set(lag);
      },
    });
    new Gauge({
      name: 'cp_auditor_answering',
      help: 'Whether the auditor answered the last status request (1) or not (0)',
      registers: [this.registry],
      async collect() {
        this.set((await sources.auditorLag()) === null ? 0 : 1);
      },
    });
  }

  /** Records one finished request from its ledger payload. */
  observe(p: Completed): void {
    const route = routeName(p.trail?.route);
    // A model that was never resolved (no route) is not a label value: client input must not make series.
    const model = route === 'none' ? 'unknown' : (p.model ?? 'unknown');
    this.requests.get(route, model, String(p.status)).observe(p.timings.totalMs / 1000);
    if (p.trail?.failover) this.failovers.get(route, p.provider ? `${p.provider}/${p.providerModel ?? ''}` : 'none').inc();
    for (const a of p.trail?.attempts ?? []) this.observeAttempt(a);
    if (p.stream && p.timings.firstChunkMs !== undefined && p.provider) this.firstChunk.get('chat', p.provider, p.providerModel ?? '', p.providerModel ?? '').observe(p.timings.firstChunkMs / 1000);
    const extras = trailExtras(p.trail);
    for (const c of extras.repairs) this.repairs.get(c).inc();
    for (const reason of extras.memoryDegraded) this.memory.get(reason).inc();
  }

  private observeAttempt(a: ProviderAttempt): void {
    if (a.outcome === 'skipped') return;
    if (a.shaping) this.shaping.get(a.shaping.level).inc();
    const ok = a.outcome === 'ok';
    this.duration.get('chat', a.provider, a.model, ok ? a.model : '', ok ? '' : (a.errorClass ?? 'error')).observe(a.latencyMs / 1000);
    if (!a.usage) return;
    this.tokens.get('chat', a.provider, a.model, a.model, 'input').observe(a.usage.prompt_tokens);
    this.tokens.get('chat', a.provider, a.model, a.model, 'output').observe(a.usage.completion_tokens);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function routeName(route: unknown): string {
  const name = route !== null && typeof route === 'object' ? (route as { route?: unknown }).route : undefined;
  return typeof name === 'string' ? name : 'none';
}
