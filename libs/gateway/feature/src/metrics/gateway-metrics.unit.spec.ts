import { GatewayMetrics } from './gateway-metrics';

const sources = { breakers: () => ({ 'qwen/q': 'open' }), publisher: () => ({ buffered: 2, inFlight: 1, dropped: 0 }), auditorLag: async () => null };
const completed = (trail: Record<string, unknown>, model = 'auto') => ({
  requestId: 'r1',
  status: 200,
  outcome: 'ok' as const,
  model,
  provider: 'gemini',
  providerModel: 'g',
  stream: false,
  timings: { receivedAt: '2026-12-02T06:00:00.000Z', totalMs: 120 },
  trail: { attempts: [], failover: false, ...trail },
});

describe('GatewayMetrics', () => {
  describe('observe', () => {
    it('given tool repairs, a shaped attempt and degraded memory in the trail, then their counters count them', async () => {
      const m = new GatewayMetrics(sources);
      m.observe(completed({ route: { route: 'simple' }, tools: [{ tool: 't', action: 'repaired', classes: ['json_syntax', 'coerce_types'] }, { tool: 't', action: 'repaired', classes: ['json_syntax'] }, { tool: 't', action: 'called' }], attempts: [{ provider: 'gemini', model: 'g', outcome: 'ok', latencyMs: 10, shaping: { level: 'moderate', check: 'counted', tokenizer: 'o200k', exact: false, budgetTokens: 100, contextWindow: 200, outputTokens: 50, marginTokens: 10, tokensBefore: 150 } }], memory: { status: 'degraded', degraded: ['kb'] } }));
      const text = (await m.scrape()).body;
      expect(text).toContain('cp_repairs_total{class="json_syntax"} 2');
      expect(text).toContain('cp_repairs_total{class="coerce_types"} 1');
      expect(text).toContain('cp_shaping_total{level="moderate"} 1');
      expect(text).toContain('cp_memory_degradations_total{reason="kb"} 1');
      expect(text).toContain('cp_gateway_request_duration_seconds_count{route="simple",model="auto",status="200"} 1');
    });

    it('given a request that was never routed, then its client-chosen model is not a label value', async () => {
      const m = new GatewayMetrics(sources);
      m.observe(completed({}, 'made-up-model-123'));
      const text = (await m.scrape()).body;
      expect(text).toContain('cp_gateway_request_duration_seconds_count{route="none",model="unknown",status="200"} 1');
      expect(text).not.toContain('made-up-model-123');
    });
  });

  describe('scrape', () => {
    it('given an open breaker and a backlog, then they are read at scrape time, and an auditor that does not answer is said', async () => {
      const text = (await new GatewayMetrics(sources).scrape()).body;
      expect(text).toContain('cp_breaker_state{model="qwen/q",state="open"} 1');
      expect(text).toContain('cp_breaker_state{model="qwen/q",state="closed"} 0');
      expect(text).toContain('cp_event_publish_backlog{state="buffered"} 2');
      expect(text).toContain('cp_auditor_answering 0');
      const answering = new GatewayMetrics({ ...sources, auditorLag: async () => 7 });
      expect((await answering.scrape()).body).toMatch(/cp_auditor_lag_messages 7\n[\s\S]*cp_auditor_answering 1/);
    });
  });
});
