import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeToySentenceModel } from '@cp/memory-plane/testing';
import { OnnxSessionWorker, type Feed } from './onnx-session-worker';

describe('OnnxSessionWorker (onnxruntime on a worker thread)', () => {
  const root = mkdtempSync(join(tmpdir(), 'cp-onnx-worker-'));
  const ids = (n: number): Record<string, Feed> => {
    const feed = (): Feed => ({ type: 'int64', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(4 + (i % 40))), dims: [1, n] });
    return { input_ids: feed(), attention_mask: feed(), token_type_ids: feed() };
  };

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('run', () => {
    it('Given two bulk jobs and then a query queued, When they run, Then the query goes right after the job in flight', async () => {
      const worker = await OnnxSessionWorker.start(writeToySentenceModel(join(root, 'toy')).modelPath, 1);
      const done: string[] = [];
      const track = (label: string, p: Promise<unknown>) => p.then(() => done.push(label));
      await Promise.all([track('bulk-1', worker.run(ids(64), 'last_hidden_state', 'bulk')), track('bulk-2', worker.run(ids(64), 'last_hidden_state', 'bulk')), track('query', worker.run(ids(4), 'last_hidden_state', 'query'))]);
      await worker.close();
      expect(done).toEqual(['bulk-1', 'query', 'bulk-2']);
    });

    it('Given an inference slower than the run deadline, When run, Then it fails naming the deadline and later calls fail at once', async () => {
      const worker = await OnnxSessionWorker.start(writeToySentenceModel(join(root, 'encoder'), { dimension: 256, encoderLayers: 2 }).modelPath, 1, 30_000, 1);
      await expect(worker.run(ids(256), 'last_hidden_state', 'bulk')).rejects.toThrow('an inference took more than 1 ms; the worker was stopped');
      await expect(worker.run(ids(4), 'last_hidden_state', 'query')).rejects.toThrow('took more than 1 ms');
      await worker.close();
    });
  });
});
