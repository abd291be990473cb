import { startProviderSim } from '@cp/provider-sim/server';
import { cosine } from './embedder';
import { OpenAiEmbedder } from './openai-embedder';

describe('OpenAiEmbedder against provider-sim /v1/embeddings', () => {
  let sim: Awaited<ReturnType<typeof startProviderSim>>;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('Given the sim, When initialised and asked, Then it learns the dimension, names the model in its id and returns unit vectors in input order', async () => {
    const e = await new OpenAiEmbedder(`${sim.url}/openai`, 'text-embedding-3-small', 'sk-test-key').init();
    expect(e.dimension).toBe(64);
    expect(e.id).toBe('openai:text-embedding-3-small-64@1');
    const [a, b, c] = await e.embed(['restart the payment workers', 'restart payment workers now', 'vacation policy']);
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c));
    expect(Math.hypot(...a)).toBeCloseTo(1, 4);
  });

  it('Given the sim answering 503, When asked, Then the embedder fails with the status and no vectors', async () => {
    await fetch(`${sim.url}/_sim/instances/down/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'status', status: 503 }) });
    await expect(new OpenAiEmbedder(`${sim.url}/down`, 'm', undefined).embed(['x'])).rejects.toThrow(/503/);
  });
});
