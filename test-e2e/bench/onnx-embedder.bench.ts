import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { OnnxEmbedder } from '@cp/memory-plane/embedding';
import { TOY_TOPICS, writeToySentenceModel } from '@cp/memory-plane/testing';
import { prng, watchEventLoopGaps } from '@cp/shared/testing';

/**
 * `npm run bench:onnx`: the ONNX embedder on generated models (no real sentence model can be
 * downloaded here): the static toy model (tokenising, batching and pooling cost with next to no
 * inference) and an encoder-shaped model with the per-token compute of a MiniLM-L6 (6 blocks at
 * dim 384, random weights). Load time, ingest-sized batches (texts/s) and one-query latency.
 * Figures: docs/performance.md.
 */
async function main(): Promise<void> {
  const int = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
    return n;
  };
  const opts = new Command('bench:onnx')
    .option('--texts <n>', 'chunk-sized texts embedded as one ingest', int, 128)
    .option('--queries <n>', 'timed one-text queries', int, 50)
    .option('--threads <n>', 'onnxruntime intra-op threads (0: its choice)', int, 0)
    .option('--batch <n>', 'most texts per inference', int, 32)
    .option('--batch-tokens <n>', 'most padded tokens per inference', int, 256)
    .option('--layers <n>', 'encoder blocks of the timing model', int, 6)
    .option('--model-dir <folder>', 'also time a real model folder (model.onnx + tokenizer.json)')
    .parse(process.argv)
    .opts<{ texts: number; queries: number; threads: number; batch: number; batchTokens: number; layers: number; modelDir?: string }>();
  const root = mkdtempSync(join(tmpdir(), 'cp-bench-onnx-'));
  try {
    const models = [
      { label: 'static toy (Gather only), dim 16', dir: writeToySentenceModel(join(root, 'toy')).dir },
      { label: `encoder-shaped, ${opts.layers} blocks, dim 384`, dir: writeToySentenceModel(join(root, 'encoder'), { dimension: 384, encoderLayers: opts.layers }).dir },
      ...(opts.modelDir ? [{ label: opts.modelDir, dir: opts.modelDir }] : []),
    ];
    const rand = prng(11);
    const words = [...Object.values(TOY_TOPICS).flat(), 'the', 'of', 'and', 'with', 'unknownword', 'kubernetes'];
    const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');
    const chunks = Array.from({ length: opts.texts }, () => text(120 + Math.floor(rand() * 100)));
    const queries = Array.from({ length: opts.queries }, () => text(8));
    const rows: Record<string, unknown>[] = [];
    for (const m of models) {
      let started = performance.now();
      const e = await OnnxEmbedder.load(m.dir, { threads: opts.threads, batchSize: opts.batch, batchTokens: opts.batchTokens });
      const loadMs = performance.now() - started;
      started = performance.now();
      await e.embed(chunks);
      const ingestMs = performance.now() - started;
      const latencies: number[] = [];
      for (const q of queries) {
        const t = performance.now();
        await e.embed([q]);
        latencies.push(performance.now() - t);
      }
      const during = await queriesDuringIngest(e, chunks, queries);
      rows.push({
        model: m.label,
        modelMB: +(statSync(join(m.dir, 'model.onnx')).size / 1e6).toFixed(1),
        loadMs: Math.round(loadMs),
        ingestTextsPerS: Math.round(opts.texts / (ingestMs / 1000)),
        queryP50Ms: percentile(latencies, 0.5),
        queryP95Ms: percentile(latencies, 0.95),
        duringIngestQueryP50Ms: percentile(during.latencies, 0.5),
        duringIngestQueryMaxMs: percentile(during.latencies, 1),
        duringIngestLoopGapMs: +during.worstLoopGapMs.toFixed(1),
      });
      await e.close();
    }
    console.table(rows);
    console.log(JSON.stringify({ options: opts, rows }));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return +sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(2);
}

/** One-text queries, one after another, while the chunks are embedded again; and the event loop's worst gap meanwhile. */
async function queriesDuringIngest(e: OnnxEmbedder, chunks: string[], queries: string[]): Promise<{ latencies: number[]; worstLoopGapMs: number }> {
  const loop = watchEventLoopGaps();
  let done = false;
  const ingest = e.embed(chunks).then(() => (done = true));
  const latencies: number[] = [];
  for (let i = 0; !done; i++) {
    const t = performance.now();
    await e.embed([queries[i % queries.length]]);
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 10));
  }
  await ingest;
  return { latencies, worstLoopGapMs: loop.stop() };
}

void main();
