import { startProviderSim, type ProviderSim } from '@cp/provider-sim/server';
import { parseProviderRegistry, type ProviderRegistry } from '@cp/router/domain';
import { trace } from '@cp/shared/telemetry';
import { CapabilityProber } from './capability-prober';
import { HttpProviderClient } from '@cp/router/data-plane';

const ALL = '{ tools: true, vision: true, streaming: true, jsonMode: true }';
const registryYaml = `
version: 1
providers:
  - { id: oai, wire: openai, baseUrl: https://o.example/v1, apiKeyEnv: CP_TEST_UNSET_O, models: [{ id: gpt-x, capabilities: ${ALL}, contextWindow: 1000, maxOutput: 100, pricePerMTok: { input: 1, output: 2 } }] }
  - { id: ant, wire: anthropic, baseUrl: https://a.example, apiKeyEnv: CP_TEST_UNSET_A, models: [{ id: claude-x, capabilities: { tools: true, vision: true, streaming: true, jsonMode: false }, contextWindow: 1000, maxOutput: 100, pricePerMTok: { input: 1, output: 2 } }] }
  - { id: gem, wire: gemini, baseUrl: https://g.example, apiKeyEnv: CP_TEST_UNSET_G, models: [{ id: gemini-x, capabilities: ${ALL}, contextWindow: 1000, maxOutput: 100, pricePerMTok: { input: 1, output: 2 } }] }
routes: { r: [oai/gpt-x, ant/claude-x, gem/gemini-x] }
defaults: { simple: r, complex: r, vision: r }
`;

/** The prober against a real provider-sim over HTTP, in each wire format. */
describe('CapabilityProber (against provider-sim)', () => {
  let sim: ProviderSim;
  let http: HttpProviderClient;
  let registry: ProviderRegistry;
  let prober: CapabilityProber;
  const fault = (instance: string, body: unknown) => fetch(`${sim.url}/_sim/instances/${instance}/faults`, { method: 'POST', body: JSON.stringify(body) });
  const target = (id: string) => {
    const provider = registry.providers.find((p) => p.id === id)!;
    return [provider, provider.models[0]] as const;
  };

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    registry = parseProviderRegistry(registryYaml, {}, sim.url);
    http = new HttpProviderClient(trace.getTracer('test'));
    prober = new CapabilityProber(http, 1000);
  });
  afterAll(async () => {
    await http.close();
    await sim.close();
  });
  beforeEach(() => fetch(`${sim.url}/_sim/reset`, { method: 'POST' }));

  describe('probeModel', () => {
    it.each(['oai', 'ant', 'gem'])('given a healthy %s provider, then the completion and every declared capability are verified', async (id) => {
      const result = await prober.probeModel(...target(id));
      expect(result.completion.status).toBe('verified');
      for (const [name, check] of Object.entries(result.capabilities)) {
        expect([name, check.status]).toEqual([name, check.declared ? 'verified' : 'unsupported']);
        if (check.declared) expect(check.checkedAt).toEqual(expect.any(String));
      }
    });

    it('given a provider whose streams are slower than the probe timeout, then only streaming fails, with a timeout', async () => {
      await fault('oai', { type: 'slow_stream', ms: 400 });
      const result = await prober.probeModel(...target('oai'));
      expect(result.completion.status).toBe('verified');
      expect(result.capabilities.streaming).toMatchObject({ status: 'failed', detail: 'timeout (total)' });
      expect([result.capabilities.tools.status, result.capabilities.vision.status, result.capabilities.jsonMode.status]).toEqual(['verified', 'verified', 'verified']);
    });

    it('given a provider answering 503, then everything declared fails with the status and the undeclared stays unsupported', async () => {
      await fault('ant', { type: 'status', status: 503 });
      const result = await prober.probeModel(...target('ant'));
      expect(result.completion).toMatchObject({ status: 'failed', detail: 'HTTP 503' });
      expect(result.capabilities.vision).toMatchObject({ declared: true, status: 'failed', detail: 'HTTP 503' });
      expect(result.capabilities.jsonMode).toEqual({ declared: false, status: 'unsupported' });
    });

    it('given a provider cutting its streams, then streaming fails as incomplete', async () => {
      await fault('gem', { type: 'cut_stream', afterChunks: 1 });
      const result = await prober.probeModel(...target('gem'));
      expect(result.capabilities.streaming.status).toBe('failed');
    });

    it('given a provider answering the wrong schema, then the checks fail as unexpected schema', async () => {
      await fault('oai', { type: 'wrong_schema' });
      const result = await prober.probeModel(...target('oai'));
      expect(result.capabilities.tools).toMatchObject({ status: 'failed', detail: 'unexpected response schema' });
    });
  });
});
