import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryDataSource, ItemStore, KbStore, migrateMemory, PreferenceStore, StatusStore } from '@cp/memory-plane/data-access';
import { createEmbedder, defaultStaticEmbedder, type Embedder } from '@cp/memory-plane/embedding';
import { DEFAULT_SCORING } from '@cp/memory-plane/domain';
import { writeToySentenceModel } from '@cp/memory-plane/testing';
import { loadConfig } from '@cp/shared/config';
import { NatsBus } from '@cp/shared/messaging';
import { dropIsolation, newIsolation, waitFor } from '@cp/shared/testing';
import { createLogger, trace } from '@cp/shared/telemetry';
import { searchKb } from './kb-search';
import { MemoryCommands } from './memory-commands';
import { embedderSettings, MemoryConfigSchema } from './memory-config';
import { queryMemory } from './memory-query';
import { MemoryState } from './memory-state';
import { Reembedder } from './reembedder';

const RUNBOOK = 'To restart the payment workers, drain the queue first, then restart the pods one by one with kubectl rollout restart.';
const HOLIDAYS = 'Employees get thirty vacation days; holiday leave needs the manager to agree.';

describe('memory plane with CP_MEMORY_EMBEDDER=onnx (generated model; real Postgres, NATS and onnxruntime)', () => {
  const iso = newIsolation('memonnx');
  const ds = createMemoryDataSource(iso.databaseUrl, 4);
  const modelRoot = mkdtempSync(join(tmpdir(), 'cp-onnx-plane-'));
  let bus: NatsBus;
  let onnx: Embedder;
  const events: string[] = [];

  beforeAll(async () => {
    await migrateMemory(iso.databaseUrl);
    await ds.initialize();
    bus = await NatsBus.connect({ servers: iso.natsUrl, service: 'memory-plane', namespace: iso.namespace, stream: iso.stream, tracer: trace.getTracer('test') });
    await bus.ensureEventStream();
    bus.nc.subscribe(`${iso.namespace}.cp.memory.>`, { callback: (_e, m) => void events.push(m.string()) });
    const { dir } = writeToySentenceModel(join(modelRoot, 'toy-minilm'));
    const config = loadConfig(MemoryConfigSchema, { CP_MEMORY_EMBEDDER: 'onnx', CP_MEMORY_ONNX_MODEL_DIR: dir, CP_MEMORY_ONNX_BATCH: '4' });
    onnx = await createEmbedder(config.CP_MEMORY_EMBEDDER, embedderSettings(config));
  });

  afterAll(async () => {
    await onnx.close?.();
    await bus.close();
    await ds.destroy();
    await dropIsolation(iso);
    rmSync(modelRoot, { recursive: true, force: true });
  });

  const stateWith = (embedder: Embedder) => new MemoryState(new KbStore(ds), new PreferenceStore(ds), new StatusStore(ds), new ItemStore(ds), embedder);

  it('Given documents ingested with the static embedder, When the plane restarts on the ONNX model, Then the chunks are re-embedded with its id and a vector-only search finds the right one', async () => {
    const before = stateWith(defaultStaticEmbedder());
    const staticCmd = new MemoryCommands(before, bus);
    await staticCmd.ingest({ title: 'Payment workers runbook', content: RUNBOOK });
    await staticCmd.ingest({ title: 'Holidays', content: HOLIDAYS });

    const state = stateWith(onnx);
    await state.kb.indexes.ensure(onnx.id, onnx.dimension);
    const reembedder = new Reembedder(state, bus, createLogger('memory-plane-test', 'silent'));
    reembedder.start();
    await waitFor('chunks re-embedded', async () => ((await state.kb.countByEmbedder())[onnx.id] === 2 ? true : undefined), 10_000);
    await reembedder.stop();
    expect(await state.kb.countByEmbedder()).toEqual({ [onnx.id]: 2 });

    const query = 'drain the queue and restart the pods';
    const [qv] = await onnx.embed([query]);
    const hits = await searchKb(state.kb, onnx, query, qv, 2, 'vector');
    expect(hits[0].text).toContain('payment workers');
    expect(hits[0].relevance).toBeGreaterThan(hits[1].relevance);
    await waitFor('memory.chunks-reembedded', async () => events.find((e) => e.includes('chunks-reembedded') && e.includes(onnx.id)), 5_000);
  });

  it('Given the ONNX embedder, When a document is ingested and the memory is queried, Then the document comes back from the KB', async () => {
    const state = stateWith(onnx);
    const cmd = new MemoryCommands(state, bus);
    const ingested = await cmd.ingest({ title: 'Refunds', content: 'A refund goes back to the card that paid the invoice; billing sends it within five days.' });
    expect(ingested).toMatchObject({ outcome: 'created', chunks: 1 });
    const reply = await queryMemory(state, { query: 'how is a card refund paid back?', layers: ['kb'] }, { layerTimeoutMs: 2000, scoring: DEFAULT_SCORING, minRelevance: 0.15 });
    expect(reply.degraded).toEqual([]);
    expect(reply.results[0]).toMatchObject({ layer: 'kb', text: expect.stringContaining('refund goes back to the card') });
    expect(await state.kb.countByEmbedder()).toEqual({ [onnx.id]: 3 });
  });
});
