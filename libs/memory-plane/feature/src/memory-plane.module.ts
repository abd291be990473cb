import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createEmbedder } from '@cp/memory-plane/embedding';
import { createMemoryDataSource, ItemStore, KbStore, migrateMemory, PreferenceStore, StatusStore } from '@cp/memory-plane/data-access';
import { DatabaseConfigSchema, loadConfig } from '@cp/shared/config';
import { DescribeItem, Embed, KbDelete, KbIngest, KbList, MemoryFault, MemoryQuery, PrefCreate, PrefDelete, PrefLearn, PrefList, PrefUpdate, RememberItems, StatusGet, StatusPut } from '@cp/shared/contracts';
import { RUNTIME, RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import type { DataSource } from 'typeorm';
import { MemoryCommands } from './memory-commands';
import { embedderSettings, MemoryConfigSchema, scoringOf, type MemoryConfig } from './memory-config';
import { queryMemory } from './memory-query';
import { MemoryState } from './memory-state';
import { LexemeStatsRefresher } from './lexeme-stats-refresher';
import { Reembedder } from './reembedder';

const DATA_SOURCE = Symbol('MemoryDataSource');
const CONFIG = Symbol('MemoryConfig');
/** Small-layer items (preferences, status, files) below this relevance are not query results. */
const MIN_SMALL_LAYER_RELEVANCE = 0.15;

/** Serves the memory plane's RPCs (queue group `memory-plane`), re-embeds in the background, reports health. */
class MemoryPlaneLifecycle implements OnModuleInit, OnApplicationShutdown {
  private reembedder?: Reembedder;
  private lexemeStats?: LexemeStatsRefresher;
  private indexBuild?: Promise<void>;

  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(MemoryState) private readonly state: MemoryState,
    @Inject(CONFIG) private readonly config: MemoryConfig,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    const { bus } = this.rt;
    const { state, config } = this;
    for (const [layer, mode] of Object.entries(config.CP_MEMORY_FAULTS ?? {})) state.faults.set(layer as never, mode);
    if (state.faults.size > 0) this.rt.logger.warn({ faults: Object.fromEntries(state.faults) }, 'memory fault switch is on (CP_MEMORY_FAULTS)');
    await this.ensureVectorIndex();
    await state.refreshAll();
    // Keyword ranking weighs words by these statistics: refreshed at start (another replica may
    // have changed the KB) and after every change, in the background.
    const lexemeStats = new LexemeStatsRefresher(() => state.kb.refreshKeywordStats(), this.rt.logger);
    this.lexemeStats = lexemeStats;
    state.kbChanged = () => lexemeStats.changed();
    lexemeStats.changed();
    const cmd = new MemoryCommands(state, bus);
    const q = 'memory-plane';
    const queryOptions = { layerTimeoutMs: config.CP_MEMORY_LAYER_TIMEOUT_MS, scoring: scoringOf(config), minRelevance: MIN_SMALL_LAYER_RELEVANCE };
    bus.serve(MemoryQuery, (req) => queryMemory(state, req, queryOptions), q);
    bus.serve(KbIngest, (req) => cmd.ingest(req), q);
    bus.serve(KbList, (req) => state.kb.list(req.limit, req.offset), q);
    bus.serve(KbDelete, (req) => cmd.deleteDocument(req.id, req.requestId), q);
    bus.serve(PrefList, async (req) => ({ preferences: req.all ? await state.prefs.list(true) : state.preferences.map((p) => p.value) }), q);
    bus.serve(PrefCreate, (req) => cmd.createPreference(req), q);
    bus.serve(PrefUpdate, (req) => cmd.updatePreference(req.id, req.patch, req.requestId), q);
    bus.serve(PrefDelete, (req) => cmd.deletePreference(req.id, req.requestId), q);
    bus.serve(PrefLearn, (req) => cmd.learn(req.requestId, req.text), q);
    bus.serve(StatusPut, (req) => cmd.putStatus(req), q);
    bus.serve(StatusGet, () => cmd.status(), q);
    bus.serve(RememberItems, (req) => cmd.remember(req.requestId, req.items), q);
    bus.serve(DescribeItem, (req) => cmd.describeItem(req), q);
    bus.serve(Embed, async (req) => {
      const input = typeof req.input === 'string' ? [req.input] : req.input;
      const vectors = await state.embedder.embed(input);
      return { model: state.embedder.id, dimension: state.embedder.dimension, data: vectors.map((v) => Array.from(v, (x) => Math.round(x * 1e6) / 1e6)) };
    }, q);
    // Every replica takes fault switches (no queue group): a drill affects the whole memory plane.
    bus.serve(MemoryFault, (req) => {
      if (req.mode === 'off') state.faults.delete(req.layer);
      else state.faults.set(req.layer, req.mode);
      this.rt.logger.warn({ layer: req.layer, mode: req.mode }, 'memory fault switch changed');
      return { faults: Object.fromEntries(state.faults) };
    }, `memory-plane-fault-${process.pid}`);
    this.reembedder = new Reembedder(state, bus, this.rt.logger);
    this.reembedder.start();
    serveHealth(this.rt, () => ({ embedder: state.embedder.id, dimension: state.embedder.dimension, faults: Object.fromEntries(state.faults), reembedding: { done: this.reembedder?.done ?? 0, remaining: this.reembedder?.remaining ?? 0 } }));
  }

  /**
   * The current embedder's HNSW index. A missing one is built before serving (fast: it is missing
   * when the embedder is new, and its chunks are re-embedded afterwards); one built with older
   * parameters is rebuilt in the background without blocking ingests, and queries use the old
   * one until the new one is ready.
   */
  private async ensureVectorIndex(): Promise<void> {
    const { kb, embedder } = this.state;
    const state = await kb.indexes.state(embedder.id);
    if (state === 'missing') await kb.indexes.ensure(embedder.id, embedder.dimension);
    if (state !== 'outdated') return;
    this.rt.logger.info({ embedder: embedder.id }, 'rebuilding the HNSW index with new parameters in the background');
    this.indexBuild = kb
      .indexes.ensure(embedder.id, embedder.dimension, undefined, { concurrently: true })
      .then(() => this.rt.logger.info({ embedder: embedder.id }, 'HNSW index rebuilt'))
      .catch((err: unknown) => this.rt.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'HNSW index rebuild failed; the old index stays in use, the next start tries again'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.indexBuild; // a rebuild under way finishes first (an interrupted one is redone at the next start)
    await this.reembedder?.stop();
    await this.lexemeStats?.stop();
    await this.state.embedder.close?.();
    await this.ds.destroy();
  }
}

@Module({})
export class MemoryPlaneModule {
  static register(rt: ServiceRuntime): DynamicModule {
    const config = loadConfig(MemoryConfigSchema);
    return {
      module: MemoryPlaneModule,
      imports: [RuntimeModule.forRoot(rt)],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: DATA_SOURCE,
          useFactory: async () => {
            const { CP_DATABASE_URL } = loadConfig(DatabaseConfigSchema);
            const applied = await migrateMemory(CP_DATABASE_URL);
            if (applied.length > 0) rt.logger.info({ applied }, 'memory plane migrations applied');
            return createMemoryDataSource(CP_DATABASE_URL, 10, config.CP_MEMORY_HNSW_EF_SEARCH).initialize();
          },
        },
        {
          provide: MemoryState,
          inject: [DATA_SOURCE],
          useFactory: async (ds: DataSource) => {
            const started = Date.now();
            const embedder = await createEmbedder(config.CP_MEMORY_EMBEDDER, embedderSettings(config));
            rt.logger.info({ embedder: embedder.id, dimension: embedder.dimension, loadMs: Date.now() - started }, 'embedder ready');
            return new MemoryState(new KbStore(ds), new PreferenceStore(ds), new StatusStore(ds), new ItemStore(ds), embedder);
          },
        },
        MemoryPlaneLifecycle,
      ],
    };
  }
}
