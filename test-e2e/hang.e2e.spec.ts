import OpenAI from 'openai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, Stack } from '@cp/shared/testing';
import { simControl as sim } from './support/e2e-kit';

const FIRST_BYTE_MS = 400;

/** The shipped registry with a short first-byte timeout on the primary, so a hang is cheap to show. */
function registryWithShortTimeout(): string {
  const doc = parse(readFileSync(join(REPO_ROOT, 'config/providers.yaml'), 'utf8')) as { providers: { id: string; timeouts?: Record<string, number> }[] };
  const qwen = doc.providers.find((p) => p.id === 'qwen');
  if (!qwen) throw new Error('qwen missing from the registry');
  qwen.timeouts = { connectMs: 500, firstByteMs: FIRST_BYTE_MS, totalMs: 5000 };
  const file = join(mkdtempSync(join(tmpdir(), 'cp-reg-')), 'providers.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

describe('provider plane: a hanging provider', () => {
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await new Stack({ label: 'hang', env: { CP_PROVIDERS_FILE: registryWithShortTimeout() } }).start();
    client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('given the primary accepts and never answers, then the request costs one first-byte timeout and is served by the fallback', async () => {
    await sim(stack).fault('qwen', { type: 'hang' });
    const started = Date.now();
    const r = await client.chat.completions.create({ model: 'qwen/qwen3-235b-a22b', messages: [{ role: 'user', content: 'are you there' }] });
    const elapsed = Date.now() - started;
    expect(r.choices[0].message.content).toBe('echo: are you there');
    expect(r.model).toBe('gemini-2.5-pro');
    // One first-byte timeout, not the request's overall deadline (120 s by default).
    expect(elapsed).toBeGreaterThanOrEqual(FIRST_BYTE_MS);
    expect(elapsed).toBeLessThan(FIRST_BYTE_MS + 3000);
  });
});
