import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { WordVectors } from '@cp/memory-plane/embedding';
import { dropIsolation, newIsolation, prng, REPO_ROOT } from '@cp/shared/testing';
import { positiveInt } from './options';
import { statusKb } from './proc-stats';

type EmbeddingLib = typeof import('@cp/memory-plane/embedding');
const MiB = 2 ** 20;
const BATCH = 50;

/**
 * `npm run bench:word-vectors -- [--against <checkout>] [--service]`: what the default embedder's
 * word vectors cost, for this build and optionally another built checkout (a worktree of the base
 * commit, say), side by side: memory of a fresh process before and after `defaultStaticEmbedder()`
 * (after a GC; VmHWM also counts the transient peak), the time to embed chunk texts (batches
 * interleaved between the builds), whether the builds give bit-identical vectors, and with
 * `--service` the memory-plane service's VmHWM once started and idle (own database, stream and
 * namespace, the environment the e2e stack gives it). Figures: docs/performance.md.
 */
async function main(): Promise<void> {
  const opts = new Command('bench:word-vectors')
    .option('--against <checkout>', 'another checkout with a built dist/ to compare with')
    .option('--texts <n>', 'chunk texts embedded per round', positiveInt, 10_000)
    .option('--words <n>', 'words per chunk text', positiveInt, 60)
    .option('--rounds <n>', 'rounds per build (memory, speed, service)', positiveInt, 3)
    .option('--service', 'also start the memory-plane service of each build and read its idle VmHWM', false)
    .option('--idle-ms <n>', 'how long the service runs before it is read', positiveInt, 15_000)
    .parse(process.argv)
    .opts<{ against?: string; texts: number; words: number; rounds: number; service: boolean; idleMs: number }>();
  const roots = [REPO_ROOT, ...(opts.against ? [resolve(opts.against)] : [])];
  const alternated = (round: number) => (round % 2 ? [...roots].reverse() : roots);

  for (let round = 0; round < opts.rounds; round++) for (const root of alternated(round)) console.log(`load      ${root}: ${loadFootprint(root)}`);

  const libs = roots.map((root) => require(join(root, 'dist/libs/memory-plane/embedding/src/index.js')) as EmbeddingLib);
  const embedders = libs.map((lib) => {
    const vectors = lib.WordVectors.load();
    return { full: lib.defaultStaticEmbedder(vectors), wordsOnly: new lib.WordVectorEmbedder(vectors, 'sif'), vectors };
  });
  const texts = chunkTexts(embedders[0].vectors, opts.texts, opts.words);
  // Batches of 50 texts, each embedded by every build in turn (the order alternating per batch), so
  // that the machine's other load falls on both builds alike; whole rounds alternated were too noisy.
  const outputs: Float32Array[][] = roots.map(() => []);
  for (let round = 0; round < opts.rounds; round++) {
    const ms = roots.map(() => ({ full: 0, wordsOnly: 0 }));
    for (let b = 0; b * BATCH < texts.length; b++) {
      const batch = texts.slice(b * BATCH, (b + 1) * BATCH);
      for (const kind of ['full', 'wordsOnly'] as const) {
        for (const i of b % 2 ? [...roots.keys()].reverse() : roots.keys()) {
          const [took, vectors] = await timed(() => embedders[i][kind].embed(batch));
          ms[i][kind] += took;
          if (kind === 'full' && round === 0) outputs[i].push(...vectors);
        }
      }
    }
    roots.forEach((root, i) => console.log(`embed     ${root}: ${opts.texts} texts of ${opts.words} words: default embedder ${ms[i].full.toFixed(0)} ms, word vectors alone ${ms[i].wordsOnly.toFixed(0)} ms`));
  }
  for (let i = 1; i < roots.length; i++) {
    const differing = texts.filter((_, k) => Buffer.compare(Buffer.from(outputs[0][k].buffer), Buffer.from(outputs[i][k].buffer)) !== 0).length;
    console.log(`identical ${roots[i]}: ${differing} of ${texts.length} vectors differ from ${roots[0]}'s`);
  }

  if (opts.service) for (let round = 0; round < opts.rounds; round++) for (const root of alternated(round)) console.log(`service   ${root}: ${await serviceFootprint(root, opts.idleMs)}`);
}

/** Memory of a fresh `node --expose-gc` process around `defaultStaticEmbedder()` of the build at `root`. */
function loadFootprint(root: string): string {
  const probe = `
    const lib = require(${JSON.stringify(join(root, 'dist/libs/memory-plane/embedding/src/index.js'))});
    const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    const snap = () => { global.gc(); const u = process.memoryUsage(); return [u.rss, u.heapUsed, u.arrayBuffers, hwm()]; };
    const before = snap(); const t = performance.now(); globalThis.kept = lib.defaultStaticEmbedder(); const ms = performance.now() - t;
    console.log(JSON.stringify({ ms, before, after: snap() }));`;
  const child = spawnSync(process.execPath, ['--expose-gc', '-e', probe], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`load probe failed: ${child.stderr}`);
  const { ms, before, after } = JSON.parse(child.stdout) as { ms: number; before: number[]; after: number[] };
  const mib = (k: number) => `${(before[k] / MiB).toFixed(1)} -> ${(after[k] / MiB).toFixed(1)} (+${((after[k] - before[k]) / MiB).toFixed(1)})`;
  return `${ms.toFixed(0)} ms; rss ${mib(0)}, heapUsed ${mib(1)}, arrayBuffers ${mib(2)}, VmHWM ${mib(3)} MiB`;
}

/** The memory-plane service of the build at `root`, with the environment the e2e stack gives it, after `idleMs`. */
async function serviceFootprint(root: string, idleMs: number): Promise<string> {
  const iso = newIsolation('wvbench');
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CP_NATS_URL: iso.natsUrl, CP_NATS_NAMESPACE: iso.namespace, CP_EVENTS_STREAM: iso.stream, CP_DATABASE_URL: iso.databaseUrl, CP_LOG_LEVEL: 'warn', OTEL_SERVICE_NAME: 'memory-plane' };
  const child = spawn(process.execPath, [join(root, 'dist/apps/memory-plane/src/main.js')], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await new Promise((r) => setTimeout(r, idleMs));
    if (child.exitCode !== null || child.pid === undefined) return `exited with ${child.exitCode}`;
    return `VmHWM ${((statusKb(child.pid, 'VmHWM') ?? 0) / 1024).toFixed(1)} MiB, VmRSS ${((statusKb(child.pid, 'VmRSS') ?? 0) / 1024).toFixed(1)} MiB after ${idleMs} ms`;
  } finally {
    await stop(child);
    await dropIsolation(iso);
  }
}

/** Chunk-like texts: vocabulary words (frequent ones more often), 5 % unknown words, 3 % identifiers known by their parts. */
function chunkTexts(vectors: Pick<WordVectors, 'wordAt' | 'size'>, count: number, words: number): string[] {
  const rand = prng(42);
  const word = () => {
    const x = rand();
    if (x < 0.05) return `zq${Math.floor(rand() * 1e6)}x`;
    if (x < 0.08) return `node-${Math.floor(rand() * 30)}`;
    return vectors.wordAt(Math.floor(rand() ** 2 * vectors.size)) ?? 'word';
  };
  return Array.from({ length: count }, () => Array.from({ length: words }, word).join(' '));
}

/** SIGTERM, then SIGKILL if the process has not exited within 10 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(deadline);
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const out = await fn();
  return [performance.now() - started, out];
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
