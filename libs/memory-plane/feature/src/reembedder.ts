import { ChunksReembedded } from '@cp/shared/contracts';
import type { NatsBus } from '@cp/shared/messaging';
import type { Logger } from '@cp/shared/telemetry';
import { sleep } from './deadline';
import type { MemoryState } from './memory-state';

/**
 * After an embedder change, re-embeds the chunks another embedder made, in batches, in the
 * background. Vector spaces are never mixed: a vector query only looks at the current embedder's
 * chunks (its own HNSW index), so chunks not yet re-embedded are found by keyword only until
 * their turn comes; queries keep working throughout.
 */
export class Reembedder {
  private stopped = false;
  private running?: Promise<void>;
  done = 0;
  remaining = 0;

  constructor(
    private readonly state: MemoryState,
    private readonly bus: NatsBus,
    private readonly logger: Logger,
    private readonly batch = 64,
  ) {}

  start(): void {
    this.running = this.run().catch((err: unknown) => this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 're-embedding stopped on an error; it resumes at the next start'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async run(): Promise<void> {
    const { embedder, kb } = this.state;
    const counts = await kb.countByEmbedder();
    this.remaining = Object.entries(counts).filter(([e]) => e !== embedder.id).reduce((n, [, c]) => n + c, 0);
    if (this.remaining === 0) return;
    this.logger.info({ embedder: embedder.id, chunks: this.remaining, from: Object.keys(counts).filter((e) => e !== embedder.id) }, 're-embedding chunks made by another embedder, in the background');
    while (!this.stopped) {
      const rows = await kb.chunksNotEmbeddedBy(embedder.id, this.batch);
      if (rows.length === 0) break;
      const vectors = await embedder.embed(rows.map((r) => r.text));
      await kb.replaceEmbeddings(embedder.id, rows.map((r, i) => ({ id: r.id, embedding: vectors[i] })));
      this.done += rows.length;
      this.remaining = Math.max(0, this.remaining - rows.length);
      await sleep(5); // leave room for queries between batches
    }
    this.bus.publish(ChunksReembedded, { embedder: embedder.id, dimension: embedder.dimension, chunks: this.done, remaining: this.remaining }, { streamId: 'memory:embedder', correlationId: `reembed:${embedder.id}` });
    this.logger.info({ embedder: embedder.id, chunks: this.done }, 're-embedding done');
  }
}
