import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeToySentenceModel, type ToyModel } from '@cp/memory-plane/testing';
import { watchEventLoopGaps } from '@cp/shared/testing';
import { cosine, normalize } from '../embedder';
import { createEmbedder } from '../create-embedder';
import { OnnxEmbedder } from './onnx-embedder';

/** The vector the toy model should give: the normalised mean (or max) of its tokens' table rows. */
function expected(model: ToyModel, tokens: string[], pool: 'mean' | 'max' = 'mean'): Float32Array {
  const rows = tokens.map((t) => model.row(model.vocab.indexOf(t)));
  const v = new Float32Array(model.dimension).fill(pool === 'max' ? -Infinity : 0);
  for (const r of rows) r.forEach((x, d) => (v[d] = pool === 'max' ? Math.max(v[d], x) : v[d] + x / rows.length));
  return normalize(v);
}

function expectClose(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 5));
}

describe('OnnxEmbedder on a generated ONNX model (real onnxruntime, real tokenizer.json)', () => {
  const root = mkdtempSync(join(tmpdir(), 'cp-onnx-'));
  let model: ToyModel;
  let embedder: OnnxEmbedder;

  beforeAll(async () => {
    model = writeToySentenceModel(join(root, 'toy-minilm'));
    embedder = await OnnxEmbedder.load(model.dir);
  });

  afterAll(async () => {
    await embedder.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe('load', () => {
    it('Given the model folder, When loaded, Then the dimension comes from the model and the id names the folder, its hash, the token limit and the dimension', () => {
      expect(embedder.dimension).toBe(16);
      expect(embedder.id).toMatch(/^onnx:toy-minilm-[0-9a-f]{12}-t256-16@1$/);
    });

    it('Given the same files in another folder of the same name, When loaded, Then the id is the same; Given another table, Then it differs', async () => {
      const same = await OnnxEmbedder.load(writeToySentenceModel(join(root, 'copy', 'toy-minilm')).dir);
      const wider = await OnnxEmbedder.load(writeToySentenceModel(join(root, 'wide', 'toy-minilm'), { dimension: 24 }).dir);
      expect(same.id).toBe(embedder.id);
      expect(wider.id).not.toBe(embedder.id);
      expect(wider.dimension).toBe(24);
      await Promise.all([same.close(), wider.close()]);
    });

    it('Given a tokenizer_config.json with model_max_length 8, When loaded asking for 256 tokens, Then it keeps to 8', async () => {
      const short = await OnnxEmbedder.load(writeToySentenceModel(join(root, 'short'), { modelMaxLength: 8 }).dir, { maxTokens: 256 });
      expect(short.maxTokens).toBe(8);
      expect(short.id).toContain('-t8-');
      await short.close();
    });
  });

  describe('embed', () => {
    it('Given a sentence, When embedded, Then the vector is the normalised mean of its tokens ([CLS] and [SEP] included) and has unit length', async () => {
      const [v] = await embedder.embed(['Restart the workers']);
      expectClose(v, expected(model, ['[CLS]', 'restart', 'the', 'workers', '[SEP]']));
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    });

    it('Given the same texts twice, When embedded, Then the vectors are identical', async () => {
      const texts = ['drain the queue', 'refund the card payment'];
      const [a, b] = [await embedder.embed(texts), await embedder.embed(texts)];
      expect(a.map((v) => Array.from(v))).toEqual(b.map((v) => Array.from(v)));
    });

    it('Given a short text batched with a long one, When embedded, Then the padding does not change the short text\'s vector ([PAD] has a large vector of its own)', async () => {
      const [alone] = await embedder.embed(['restart pods']);
      const [padded, long] = await embedder.embed(['restart pods', 'how do i restart the payment workers on the server with kubectl then drain the queue']);
      expectClose(padded, alone);
      expect(cosine(padded, long)).toBeLessThan(0.999);
    });

    it('Given texts on one topic and one on another, When embedded, Then the same-topic texts are closer', async () => {
      const [a, b, c] = await embedder.embed(['restart the server pods', 'drain the queue then restart workers', 'holiday leave policy for employees']);
      expect(cosine(a, b)).toBeGreaterThan(cosine(a, c) + 0.2);
    });

    it.each([[{ batchSize: 2 }], [{ batchTokens: 12 }]])('Given more texts than a batch, When embedded in batches of %j, Then each vector is the one embedded alone, in input order', async (batching) => {
      const small = await OnnxEmbedder.load(model.dir, batching);
      const texts = ['invoice', 'the billing manager is on vacation', 'crash', 'deploy the rollout with kubectl and restart pods', 'sick days'];
      const batched = await small.embed(texts);
      for (const [i, t] of texts.entries()) expectClose(batched[i], (await embedder.embed([t]))[0]);
      await small.close();
    });

    it('Given a text longer than the token limit, When embedded, Then it is cut to the limit keeping [SEP], as its first words alone', async () => {
      const eight = await OnnxEmbedder.load(model.dir, { maxTokens: 8 });
      const [cut] = await eight.embed(['restart the pods then drain the queue and deploy the rollout']);
      expectClose(cut, expected(model, ['[CLS]', 'restart', 'the', 'pods', 'then', 'drain', 'the', '[SEP]']));
      await eight.close();
    });

    it('Given a model with a sentence_embedding output, When embedded, Then that output is used (here a max over tokens), not mean pooling', async () => {
      const withPooling = await OnnxEmbedder.load(writeToySentenceModel(join(root, 'pooled'), { sentenceEmbedding: true }).dir);
      const [v] = await withPooling.embed(['refund the card']);
      const tokens = ['[CLS]', 'refund', 'the', 'card', '[SEP]'];
      expectClose(v, expected(model, tokens, 'max'));
      expect(cosine(v, expected(model, tokens, 'mean'))).toBeLessThan(0.99);
      await withPooling.close();
    });
  });

  describe('worker thread', () => {
    it('Given an encoder-sized model embedding a large batch, When a query comes meanwhile, Then the event loop keeps turning and the query is answered before the batch is done', async () => {
      const encoder = await OnnxEmbedder.load(writeToySentenceModel(join(root, 'encoder'), { dimension: 256, encoderLayers: 2 }).dir, { batchTokens: 800 });
      const chunk = (i: number) => Array.from({ length: 200 }, (_, j) => model.vocab[4 + ((i * 7 + j) % 40)]).join(' ');
      const loop = watchEventLoopGaps();
      const finished: string[] = [];
      const bulk = encoder.embed(Array.from({ length: 16 }, (_, i) => chunk(i))).then(() => finished.push('bulk'));
      await new Promise((r) => setTimeout(r, 20));
      await encoder.embed(['restart the workers']).then(() => finished.push('query'));
      await bulk;
      const worstGapMs = loop.stop();
      await encoder.close();
      expect(finished).toEqual(['query', 'bulk']);
      expect(worstGapMs).toBeLessThan(150);
    });

    it('Given a closed embedder, When asked, Then it fails at once saying so', async () => {
      const closed = await OnnxEmbedder.load(model.dir);
      await closed.close();
      await expect(closed.embed(['x'])).rejects.toThrow('the embedder is closed');
    });
  });

  describe('errors', () => {
    it('Given no such folder, When loaded, Then it fails naming the folder', async () => {
      const missing = join(root, 'nope');
      await expect(OnnxEmbedder.load(missing)).rejects.toThrow(`ONNX embedder: ${missing}: no such folder`);
    });

    it('Given a folder without tokenizer.json, When loaded, Then it fails naming the missing file', async () => {
      const dir = writeToySentenceModel(join(root, 'no-tokenizer')).dir;
      rmSync(join(dir, 'tokenizer.json'));
      await expect(OnnxEmbedder.load(dir)).rejects.toMatchObject({ code: 'MEMORY.ONNX_MODEL_UNUSABLE', message: expect.stringContaining(`${join(dir, 'tokenizer.json')}: not found`) });
    });

    it('Given a model.onnx that is not a model, When loaded, Then it fails naming the file and what onnxruntime said', async () => {
      const dir = writeToySentenceModel(join(root, 'corrupt')).dir;
      writeFileSync(join(dir, 'model.onnx'), 'not a protobuf');
      await expect(OnnxEmbedder.load(dir)).rejects.toThrow(`${join(dir, 'model.onnx')}: onnxruntime cannot load it`);
    });

    it('Given a model whose input is not token ids, When loaded, Then it fails naming the inputs it has', async () => {
      const dir = writeToySentenceModel(join(root, 'vision'), { inputs: ['pixel_values'] }).dir;
      await expect(OnnxEmbedder.load(dir)).rejects.toThrow(`${join(dir, 'model.onnx')}: takes inputs [pixel_values]; a sentence model takes input_ids`);
    });

    it('Given CP_MEMORY_EMBEDDER=onnx without a folder, When created, Then it fails naming CP_MEMORY_ONNX_MODEL_DIR', async () => {
      await expect(createEmbedder('onnx', {})).rejects.toThrow('CP_MEMORY_ONNX_MODEL_DIR is required');
    });
  });
});
