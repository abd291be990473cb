import { Worker } from 'node:worker_threads';
import { OnnxModelError } from './onnx-model-error';

/** One int tensor for the model, in row-major order. */
export interface Feed {
  type: 'int64' | 'int32';
  data: BigInt64Array | Int32Array;
  dims: number[];
}

export interface RunResult {
  type: string;
  dims: readonly number[];
  data: Float32Array;
}

export interface SessionInfo {
  inputNames: string[];
  inputTypes: string[];
  outputNames: string[];
}

export type Priority = 'query' | 'bulk';

/**
 * The worker's code (CommonJS, started with `eval`, so the same source serves the build and the
 * tests). onnxruntime-node's `run` computes on the calling thread: on the service's own thread a
 * batch of chunks would stall every RPC and NATS heartbeat for as long as it runs.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const message = (err) => (err && err.message) || String(err);
let session;
ort.InferenceSession.create(workerData.modelPath, workerData.options).then(
  (s) => {
    session = s;
    parentPort.postMessage({ kind: 'ready', inputNames: s.inputNames, outputNames: s.outputNames, inputTypes: s.inputMetadata.map((m) => (m.isTensor ? m.type : 'non-tensor')) });
  },
  (err) => parentPort.postMessage({ kind: 'failed', message: message(err) }),
);
let work = Promise.resolve(); // runs and the release, one after another
const runOne = async (m) => {
  try {
    const feeds = {};
    for (const [name, f] of Object.entries(m.feeds)) feeds[name] = new ort.Tensor(f.type, f.data, f.dims);
    const out = (await session.run(feeds, [m.output]))[m.output];
    parentPort.postMessage({ kind: 'result', id: m.id, type: out.type, dims: out.dims, data: out.type === 'float32' ? out.data : new Float32Array(0) });
  } catch (err) {
    parentPort.postMessage({ kind: 'error', id: m.id, message: message(err) });
  }
};
const closeAll = async () => {
  if (session) await session.release();
  parentPort.close();
};
parentPort.on('message', (m) => {
  work = work.then(() => (m.kind === 'close' ? closeAll() : runOne(m)));
});
`;

/**
 * Asks the worker to release its session and end once the inference in flight (if any) is done,
 * and lets the process exit without it. Never `terminate()`: stopping a thread inside an
 * onnxruntime call aborts the whole process (a native exception escapes as std::terminate).
 */
function retire(worker: Worker): void {
  worker.postMessage({ kind: 'close' });
  worker.unref();
}

interface Job {
  id: number;
  feeds: Record<string, Feed>;
  output: string;
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
}

type Reply = { kind: 'ready'; inputNames: string[]; outputNames: string[]; inputTypes: string[] } | { kind: 'failed'; message: string } | { kind: 'result'; id: number; type: string; dims: number[]; data: Float32Array } | { kind: 'error'; id: number; message: string };

/**
 * An onnxruntime session on a worker thread. One inference at a time; queued `query` work goes
 * before queued `bulk` work, so a query waits for at most the batch in flight. An inference that
 * outlasts `runTimeoutMs` fails its callers and retires the worker, and every call after fails at once.
 */
export class OnnxSessionWorker {
  private readonly queues: Record<Priority, Job[]> = { query: [], bulk: [] };
  private inFlight?: { job: Job; timer: NodeJS.Timeout };
  private nextId = 1;
  private broken?: Error;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly modelPath: string,
    readonly info: SessionInfo,
    private readonly runTimeoutMs: number,
  ) {
    this.exited = new Promise((done) => worker.once('exit', () => done()));
    worker.on('message', (m: Reply) => this.settle(m));
    worker.on('error', (err) => this.fail(new OnnxModelError(modelPath, `the inference worker failed: ${err.message}`)));
    worker.on('exit', () => this.fail(new OnnxModelError(modelPath, 'the inference worker has stopped')));
  }

  static start(modelPath: string, threads: number, loadTimeoutMs = 120_000, runTimeoutMs = 60_000): Promise<OnnxSessionWorker> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ortPath: require.resolve('onnxruntime-node'), modelPath, options: { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 } },
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => fail(err.message);
      const onExit = (code: number) => fail(`the worker exited with code ${code}`);
      const onMessage = (m: Reply) => {
        if (m.kind !== 'ready') return fail(m.kind === 'failed' ? m.message : `unexpected ${m.kind}`);
        stopListening();
        resolve(new OnnxSessionWorker(worker, modelPath, { inputNames: m.inputNames, inputTypes: m.inputTypes, outputNames: m.outputNames }, runTimeoutMs));
      };
      // Only our own listeners come off: the Worker keeps internal ones that deliver its messages.
      const stopListening = () => {
        clearTimeout(timer);
        worker.off('error', onError).off('exit', onExit).off('message', onMessage);
      };
      const fail = (problem: string) => {
        stopListening();
        retire(worker);
        reject(new OnnxModelError(modelPath, `onnxruntime cannot load it: ${problem}`));
      };
      const timer = setTimeout(() => fail(`no answer within ${loadTimeoutMs} ms`), loadTimeoutMs);
      worker.on('error', onError).on('exit', onExit).on('message', onMessage);
    });
  }

  run(feeds: Record<string, Feed>, output: string, priority: Priority): Promise<RunResult> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queues[priority].push({ id: this.nextId++, feeds, output, resolve, reject });
      this.pump();
    });
  }

  /** Releases the session and ends the thread; waits at most `timeoutMs` for an inference in flight to finish. */
  async close(timeoutMs = 5_000): Promise<void> {
    this.fail(new OnnxModelError(this.modelPath, 'the embedder is closed'));
    retire(this.worker);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((done) => (timer = setTimeout(done, timeoutMs)))]);
    clearTimeout(timer);
  }

  private pump(): void {
    if (this.inFlight || this.broken) return;
    const job = this.queues.query.shift() ?? this.queues.bulk.shift();
    if (!job) return;
    const timer = setTimeout(() => {
      this.fail(new OnnxModelError(this.modelPath, `an inference took more than ${this.runTimeoutMs} ms; the worker was stopped`));
      retire(this.worker);
    }, this.runTimeoutMs);
    this.inFlight = { job, timer };
    this.worker.postMessage({ kind: 'run', id: job.id, feeds: job.feeds, output: job.output });
  }

  private settle(m: Reply): void {
    const current = this.inFlight;
    if (!current || (m.kind !== 'result' && m.kind !== 'error') || m.id !== current.job.id) return;
    clearTimeout(current.timer);
    this.inFlight = undefined;
    if (m.kind === 'result') current.job.resolve({ type: m.type, dims: m.dims, data: m.data });
    else current.job.reject(new OnnxModelError(this.modelPath, `inference failed: ${m.message}`));
    this.pump();
  }

  private fail(err: Error): void {
    if (this.broken) return;
    this.broken = err;
    if (this.inFlight) {
      clearTimeout(this.inFlight.timer);
      this.inFlight.job.reject(err);
      this.inFlight = undefined;
    }
    for (const job of [...this.queues.query.splice(0), ...this.queues.bulk.splice(0)]) job.reject(err);
  }
}
