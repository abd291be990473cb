import { z } from 'zod';
import { normalize, type Embedder } from './embedder';

const Reply = z.object({ data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })).min(1) });

/**
 * An OpenAI-compatible `POST <baseUrl>/v1/embeddings` (any provider of the registry that speaks it;
 * provider-sim serves one for tests). The dimension is learnt from the first answer (`init`).
 */
export class OpenAiEmbedder implements Embedder {
  private dim = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly model: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  get id(): string {
    return `openai:${this.model.replace(/[^A-Za-z0-9._:+-]/g, '_')}-${this.dim}@1`;
  }

  get dimension(): number {
    return this.dim;
  }

  /** Asks once for the dimension; call before the first use. */
  async init(): Promise<this> {
    await this.embed(['dimension probe']);
    return this;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}) },
      body: JSON.stringify({ model: this.model, input: texts }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`embeddings API answered ${res.status}`);
    const parsed = Reply.safeParse(await res.json());
    if (!parsed.success || parsed.data.data.length !== texts.length) throw new Error('embeddings API answered an unexpected body');
    const out = [...parsed.data.data].sort((a, b) => a.index - b.index).map((d) => normalize(Float32Array.from(d.embedding)));
    if (this.dim === 0) this.dim = out[0].length;
    if (out.some((v) => v.length !== this.dim)) throw new Error('embeddings API changed its dimension');
    return out;
  }
}
