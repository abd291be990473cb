import { BreakerBook, parseProviderRegistry } from '@cp/router/domain';
import { isNewerProbe, matrixEntries, modelsReply, probeFor, probedAt, selectProbeTargets } from './capability-matrix';
import type { ModelProbe } from './capability-prober';

const registry = parseProviderRegistry(
  `
version: 1
providers:
  - id: qwen
    wire: openai
    baseUrl: https://q.example/v1
    apiKeyEnv: Q_KEY
    models:
      - { id: turbo, capabilities: { tools: true, vision: false, streaming: true, jsonMode: true }, contextWindow: 1000, maxOutput: 100, pricePerMTok: { input: 0.05, output: 0.2 } }
      - { id: vl, capabilities: { tools: false, vision: true, streaming: true, jsonMode: false }, contextWindow: 2000, maxOutput: 200, pricePerMTok: { input: 1, output: 2 } }
  - id: claude
    wire: anthropic
    baseUrl: https://c.example
    apiKeyEnv: C_KEY
    models:
      - { id: sonnet, capabilities: { tools: true, vision: true, streaming: true, jsonMode: false }, contextWindow: 3000, maxOutput: 300, pricePerMTok: { input: 3, output: 15 } }
routes:
  fast: [qwen/turbo, claude/sonnet]
  vision: [qwen/vl, claude/sonnet]
defaults: { simple: fast, complex: fast, vision: vision }
`,
  {},
  'http://sim.test',
);

const at = (iso: string) => ({ checkedAt: iso, detail: 'x', latencyMs: 1 });
const probe = (iso: string): ModelProbe => ({
  completion: { status: 'verified', ...at(iso) },
  capabilities: {
    tools: { declared: true, status: 'verified', ...at(iso) },
    vision: { declared: false, status: 'unsupported' },
    streaming: { declared: true, status: 'failed', ...at(iso) },
    jsonMode: { declared: true, status: 'verified', ...at(iso) },
  },
});

describe('matrixEntries', () => {
  it('Given no probe has run, When the matrix is built, Then declared capabilities are declared and the rest unsupported', () => {
    const [turbo] = matrixEntries(registry, new Map());
    expect(turbo).toEqual({
      id: 'qwen/turbo',
      provider: 'qwen',
      model: 'turbo',
      wire: 'openai',
      simulated: true,
      completion: { status: 'unchecked' },
      capabilities: {
        tools: { declared: true, status: 'declared' },
        vision: { declared: false, status: 'unsupported' },
        streaming: { declared: true, status: 'declared' },
        jsonMode: { declared: true, status: 'declared' },
      },
      contextWindow: 1000,
      maxOutput: 100,
      price: { currency: 'USD', inputPerMTok: 0.05, outputPerMTok: 0.2 },
      breaker: { state: 'closed', consecutiveFailures: 0 },
    });
  });

  it('Given breakers, When the matrix is built, Then each row shows its own: state, count, and while open why, since when, and whether it is misconfigured', () => {
    const book = new BreakerBook({}, () => Date.parse('2026-01-01T00:00:00.000Z'));
    book.recordMisconfigured('claude/sonnet', 'HTTP 401: key rejected');
    book.recordFailure('qwen/vl', 'timeout');
    const entries = matrixEntries(registry, new Map(), (key) => book.stateOf(key));
    expect(entries.map((e) => [e.id, e.breaker])).toEqual([
      ['qwen/turbo', { state: 'closed', consecutiveFailures: 0 }],
      ['qwen/vl', { state: 'closed', consecutiveFailures: 1 }],
      ['claude/sonnet', { state: 'open', consecutiveFailures: 1, openedAt: '2026-01-01T00:00:00.000Z', reason: 'provider misconfigured: HTTP 401: key rejected', misconfigured: true }],
    ]);
  });

  it('Given a probe of one model, When the matrix is built, Then only that row shows its results', () => {
    const entries = matrixEntries(registry, new Map([['qwen/turbo', probe('2025-01-01T00:00:00.000Z')]]));
    expect(entries.map((e) => [e.id, e.capabilities.streaming.status])).toEqual([
      ['qwen/turbo', 'failed'],
      ['qwen/vl', 'declared'],
      ['claude/sonnet', 'declared'],
    ]);
  });
});

describe('selectProbeTargets', () => {
  const keys = (r: ReturnType<typeof selectProbeTargets>) => (Array.isArray(r) ? r.map((t) => t.key) : r);

  it('Given no filter, When selected, Then every model is a target', () => {
    expect(keys(selectProbeTargets(registry, {}))).toEqual(['qwen/turbo', 'qwen/vl', 'claude/sonnet']);
  });

  it('Given a provider filter, When selected, Then only its models are targets', () => {
    expect(keys(selectProbeTargets(registry, { provider: 'qwen' }))).toEqual(['qwen/turbo', 'qwen/vl']);
  });

  it('Given a model written as provider/model, When selected, Then that model alone is the target', () => {
    expect(keys(selectProbeTargets(registry, { model: 'claude/sonnet' }))).toEqual(['claude/sonnet']);
  });

  it('Given an unknown provider, When selected, Then a 404 names it', () => {
    expect(selectProbeTargets(registry, { provider: 'nope' })).toMatchObject({ status: 404, code: 'ROUTER.UNKNOWN_MODEL', message: 'unknown provider "nope"' });
  });

  it('Given a model the provider does not declare, When selected, Then a 404', () => {
    expect(selectProbeTargets(registry, { provider: 'qwen', model: 'sonnet' })).toMatchObject({ status: 404 });
  });
});

describe('isNewerProbe', () => {
  it('Given no current probe, When compared, Then any probe is newer', () => {
    expect(isNewerProbe(probe('2025-01-01T00:00:00.000Z'), undefined)).toBe(true);
  });

  it('Given a late echo of an older probe, When compared, Then it does not replace the newer one', () => {
    expect(isNewerProbe(probe('2025-01-01T00:00:00.000Z'), probe('2025-01-01T00:00:01.000Z'))).toBe(false);
    expect(isNewerProbe(probe('2025-01-01T00:00:02.000Z'), probe('2025-01-01T00:00:01.000Z'))).toBe(true);
  });

  it('Given a probe, When its time is asked, Then it is the latest check', () => {
    const p = probe('2025-01-01T00:00:00.000Z');
    p.capabilities.jsonMode = { declared: true, status: 'verified', ...at('2025-01-01T00:00:05.000Z') };
    expect(probedAt(p)).toBe('2025-01-01T00:00:05.000Z');
  });
});

describe('modelsReply', () => {
  it('Given the registry, When listed, Then models come in file order and routes as provider/model chains', () => {
    expect(modelsReply(registry, 1700000000)).toEqual({
      ok: true,
      loadedAt: 1700000000,
      models: [
        { provider: 'qwen', model: 'turbo', wire: 'openai', simulated: true },
        { provider: 'qwen', model: 'vl', wire: 'openai', simulated: true },
        { provider: 'claude', model: 'sonnet', wire: 'anthropic', simulated: true },
      ],
      routes: { fast: ['qwen/turbo', 'claude/sonnet'], vision: ['qwen/vl', 'claude/sonnet'] },
    });
  });
});

describe('probeFor (a published probe applied to the current registry)', () => {
  const published = { provider: 'qwen', model: 'turbo', wire: 'openai' as const, simulated: true, ...probe('2026-01-01T00:00:00.000Z') };

  it('given a probe of the model as it is declared now, then it is kept as the model probe', () => {
    expect(probeFor(registry, published)).toEqual(probe('2026-01-01T00:00:00.000Z'));
  });

  it('given the registry no longer has that model or provider, then nothing is kept', () => {
    expect(probeFor(registry, { ...published, model: 'gone' })).toBeUndefined();
    expect(probeFor(registry, { ...published, provider: 'gone' })).toBeUndefined();
  });

  it('given the declaration, the wire or the simulated flag changed since the probe, then nothing is kept', () => {
    const p = probe('2026-01-01T00:00:00.000Z');
    expect(probeFor(registry, { ...published, capabilities: { ...p.capabilities, vision: { declared: true, status: 'verified' } } })).toBeUndefined();
    expect(probeFor(registry, { ...published, wire: 'anthropic' })).toBeUndefined();
    expect(probeFor(registry, { ...published, simulated: false })).toBeUndefined();
  });
});
