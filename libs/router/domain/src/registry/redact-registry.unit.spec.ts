import { inspect } from 'node:util';
import { testRegistry } from '../testing/fixtures';
import { redactRegistry } from './redact-registry';

const KEY = 'sk-very-secret-0123456789';

describe('redactRegistry', () => {
  describe('output', () => {
    it('Given a provider with a key, When redacted, Then the output has no key, only keyConfigured', () => {
      const registry = testRegistry({ OPENAI_API_KEY: KEY });
      const open = redactRegistry(registry);
      expect(JSON.stringify(open)).not.toContain(KEY);
      expect(open.providers.find((p) => p.id === 'openai')).toMatchObject({ keyConfigured: true, simulated: false, apiKeyEnv: 'OPENAI_API_KEY' });
      expect(open.providers.find((p) => p.id === 'claude')).toMatchObject({ keyConfigured: false, simulated: true });
    });
  });

  describe('input registry (ResolvedProvider.apiKey)', () => {
    it('Given a resolved registry with a key, When serialised, spread or inspected, Then the key does not appear but stays readable', () => {
      const registry = testRegistry({ OPENAI_API_KEY: KEY });
      const openai = registry.providers.find((p) => p.id === 'openai');
      expect(JSON.stringify(registry)).not.toContain(KEY);
      expect(JSON.stringify({ ...openai })).not.toContain(KEY);
      expect(inspect(registry, { depth: 10 })).not.toContain(KEY);
      expect(openai?.apiKey).toBe(KEY);
    });
  });
});
