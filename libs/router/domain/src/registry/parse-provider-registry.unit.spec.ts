import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRegistryError } from '../errors/domain-errors';
import { SIM_URL, TEST_REGISTRY_YAML, testRegistry } from '../testing/fixtures';
import { parseProviderRegistry } from './parse-provider-registry';

function issuesOf(yamlText: string): { path: string; message: string }[] {
  try {
    parseProviderRegistry(yamlText, {}, SIM_URL);
  } catch (error) {
    if (error instanceof InvalidRegistryError) return error.issues;
    throw error;
  }
  throw new Error('expected the registry to be rejected');
}

describe('parseProviderRegistry', () => {
  describe('key resolution', () => {
    it('Given no key in the environment, When parsed, Then every provider is served by the simulator under its id, with /v1 only for wire openai', () => {
      const registry = testRegistry({});
      const urls = Object.fromEntries(registry.providers.map((p) => [p.id, { baseUrl: p.baseUrl, simulated: p.simulated }]));
      expect(urls).toEqual({
        qwen: { baseUrl: 'http://127.0.0.1:4010/qwen/v1', simulated: true },
        openai: { baseUrl: 'http://127.0.0.1:4010/openai/v1', simulated: true },
        claude: { baseUrl: 'http://127.0.0.1:4010/claude', simulated: true },
        gemini: { baseUrl: 'http://127.0.0.1:4010/gemini', simulated: true },
        local: { baseUrl: 'http://127.0.0.1:4010/local/v1', simulated: true },
      });
      expect(registry.providers.every((p) => p.apiKey === undefined)).toBe(true);
    });

    it('Given a key for openai and an empty one for claude, When parsed, Then openai uses its real URL and key and claude stays simulated', () => {
      const registry = testRegistry({ OPENAI_API_KEY: 'sk-test-123', ANTHROPIC_API_KEY: '' });
      const openai = registry.providers.find((p) => p.id === 'openai');
      const claude = registry.providers.find((p) => p.id === 'claude');
      expect(openai).toMatchObject({ baseUrl: 'https://api.openai.com/v1', simulated: false, apiKey: 'sk-test-123' });
      expect(claude).toMatchObject({ baseUrl: 'http://127.0.0.1:4010/claude', simulated: true });
      expect(claude?.apiKey).toBeUndefined();
    });

    it('Given a simulator URL with a trailing slash, When parsed, Then the URLs have no double slash', () => {
      const registry = parseProviderRegistry(TEST_REGISTRY_YAML, {}, 'http://sim:4010/');
      expect(registry.providers[0].baseUrl).toBe('http://sim:4010/qwen/v1');
    });
  });

  describe('resolution', () => {
    it('Given per-provider timeouts, When parsed, Then they override the defaults key by key', () => {
      const claude = testRegistry().providers.find((p) => p.id === 'claude');
      expect(claude?.timeouts).toEqual({ connectMs: 3000, firstByteMs: 30000, totalMs: 60000 });
    });

    it('Given route chains as strings, When parsed, Then they become provider/model refs in order', () => {
      expect(testRegistry().routes.fast).toEqual([
        { provider: 'qwen', model: 'qwen-turbo' },
        { provider: 'gemini', model: 'gemini-2.5-flash' },
        { provider: 'local', model: 'tiny' },
      ]);
    });

    it('Given no classifier section, When parsed, Then the default classifier applies', () => {
      expect(testRegistry().classifier.threshold).toBe(2);
    });

    it('Given the shipped config/providers.yaml, When parsed, Then it declares the seven providers plus local and is valid', () => {
      const text = readFileSync(join(__dirname, '../../../../../config/providers.yaml'), 'utf8');
      const registry = parseProviderRegistry(text, {}, SIM_URL);
      expect(registry.providers.map((p) => p.id)).toEqual(['qwen', 'openai', 'gemini', 'claude', 'kimi', 'minimax', 'glm', 'local']);
      expect(Object.keys(registry.routes)).toEqual(['fast', 'full', 'vision']);
      expect(registry.shaping).toMatchObject({ enabled: true, thresholds: { moderate: 0.7, aggressive: 0.85 } });
    });
  });

  describe('validation', () => {
    it('Given a shaping section with a misspelt key and thresholds in the wrong order, When parsed, Then the errors name both paths', () => {
      const yaml = `${TEST_REGISTRY_YAML}\nshaping:\n  thresholds: { moderate: 0.9, aggressive: 0.8 }\n  marginTokenz: 5\n`;
      expect(issuesOf(yaml)).toEqual([
        expect.objectContaining({ path: 'shaping', message: expect.stringContaining('marginTokenz') }),
        expect.objectContaining({ path: 'shaping.thresholds', message: 'thresholds.moderate must be below thresholds.aggressive' }),
      ]);
    });

    it('Given a model with a string contextWindow, When parsed, Then the error names providers[0].models[1].contextWindow', () => {
      const yaml = TEST_REGISTRY_YAML.replace('contextWindow: 131072, maxOutput: 16384', 'contextWindow: "big", maxOutput: 16384');
      expect(issuesOf(yaml).map((i) => i.path)).toEqual(['providers[0].models[1].contextWindow']);
    });

    it('Given a misspelt key, When parsed, Then the error names the object holding it', () => {
      const yaml = TEST_REGISTRY_YAML.replace('apiKeyEnv: OPENAI_API_KEY', 'apiKeyEnv: OPENAI_API_KEY\n    apikey: oops');
      expect(issuesOf(yaml)).toEqual([expect.objectContaining({ path: 'providers[1]', message: expect.stringContaining('apikey') })]);
    });

    it('Given a route that names an undeclared model, When parsed, Then the error names routes.fast[1]', () => {
      const yaml = TEST_REGISTRY_YAML.replace('fast: [qwen/qwen-turbo, gemini/gemini-2.5-flash', 'fast: [qwen/qwen-turbo, gemini/gemini-9');
      expect(issuesOf(yaml)).toEqual([{ path: 'routes.fast[1]', message: 'provider "gemini" declares no model "gemini-9"' }]);
    });

    it('Given a route that names an unknown provider, When parsed, Then the error names the ref', () => {
      const yaml = TEST_REGISTRY_YAML.replace('full: [qwen/qwen3-235b-a22b', 'full: [mistral/large');
      expect(issuesOf(yaml)).toEqual([{ path: 'routes.full[0]', message: 'unknown provider in "mistral/large"' }]);
    });

    it('Given a vision route holding a model without vision, When parsed, Then the error names that entry', () => {
      const yaml = TEST_REGISTRY_YAML.replace('vision: [qwen/qwen-vl', 'vision: [qwen/qwen-turbo');
      expect(issuesOf(yaml).map((i) => i.path)).toEqual(['routes.vision[0]']);
    });

    it('Given defaults naming a missing route, When parsed, Then the error names defaults.simple', () => {
      const yaml = TEST_REGISTRY_YAML.replace('simple: fast', 'simple: quick');
      expect(issuesOf(yaml)).toEqual([{ path: 'defaults.simple', message: 'unknown route "quick"' }]);
    });

    it('Given two providers with the same id, When parsed, Then the error names the second one', () => {
      const yaml = TEST_REGISTRY_YAML.replace('- id: local', '- id: qwen');
      expect(issuesOf(yaml).map((i) => i.path)).toContain('providers[4].id');
    });

    it('Given an apiKeyEnv that is a key rather than a variable name, When parsed, Then the error names it without echoing it', () => {
      const yaml = TEST_REGISTRY_YAML.replace('apiKeyEnv: OPENAI_API_KEY', 'apiKeyEnv: sk-live-secret');
      const issues = issuesOf(yaml);
      expect(issues.map((i) => i.path)).toEqual(['providers[1].apiKeyEnv']);
      expect(JSON.stringify(issues)).not.toContain('sk-live-secret');
    });

    it('Given YAML that does not parse, When parsed, Then the error is an InvalidRegistryError with the line', () => {
      expect(issuesOf('version: 1\nproviders: [\n')[0].path).toMatch(/^\(yaml line \d+\)$/);
    });

    it('Given a route named auto, When parsed, Then it is refused as reserved', () => {
      const yaml = TEST_REGISTRY_YAML.replace('  fast: [', '  auto: [qwen/qwen-turbo]\n  fast: [');
      expect(issuesOf(yaml)).toEqual([expect.objectContaining({ path: 'routes.auto' })]);
    });
  });
});
