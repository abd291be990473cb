import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DatabaseConfigSchema, loadConfig } from '@cp/shared/config';
import { AuditExport, AuditParkedList, AuditReplay, AuditRequestEvent, AuditResubmit, AuditStatus, AuditVerify, type AuditStatusReply } from '@cp/shared/contracts';
import { createDataSource, EventStore, migrate } from '@cp/shared/event-store';
import { view } from '@cp/shared/messaging';
import { RUNTIME, RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import type { DataSource } from 'typeorm';
import { AuditConfigSchema } from './audit-config';
import { ChainAuditor } from './chain/chain-auditor';
import { exportPage, replayPage, REPLAY_DEFAULT_LIMIT, withoutHash } from './chain/export-page';
import { CompletenessCheck } from './completeness-check';
import { EventIngestor } from './event-ingestor';
import { ledgerStatus } from './ledger-status';
import { resubmitParked } from './parked-resubmit';

const DATA_SOURCE = Symbol('DataSource');

/** Starts ingestion and serves verify, replay, ledger status, parked messages and health; stops ingestion before the pool closes. */
class AuditorLifecycle implements OnModuleInit, OnApplicationShutdown {
  private status?: AuditStatusReply;
  private statusTimer?: NodeJS.Timeout;

  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(EventIngestor) private readonly ingestor: EventIngestor,
    @Inject(CompletenessCheck) private readonly check: CompletenessCheck,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(ChainAuditor) private readonly chain: ChainAuditor,
  ) {}

  async onModuleInit(): Promise<void> {
    const { bus } = this.rt;
    await this.ingestor.start();
    await this.check.start();
    await this.chain.start();
    bus.serve(AuditVerify, (req) => this.chain.verify(req), 'auditor');
    bus.serve(
      AuditExport,
      async (req) => {
        // The note first, then the head: the head an export stops at is never behind the checkpoint it carries.
        const checkpointNote = this.chain.newestCheckpoint?.note ?? null;
        const headPosition = (await this.store.headLink()).position;
        return { events: await exportPage(this.store, req.afterPosition, req.limit), headPosition, checkpointNote };
      },
      'auditor',
    );
    bus.serve(AuditRequestEvent, async (req) => {
      const found = await this.store.requestEvent(req.requestId);
      if (!found) return { event: null };
      return { event: withoutHash(found) };
    }, 'auditor');
    bus.serve(
      AuditReplay,
      async (req) => {
        if (req.latestPerStream) return { events: (await this.store.latestPerStream(req.type, req.limit)).map(withoutHash) };
        const limit = req.limit ?? REPLAY_DEFAULT_LIMIT;
        return replayPage(await this.store.read({ type: req.type, afterPosition: req.afterPosition, limit, payloadPath: req.payloadPath }), limit);
      },
      'auditor',
    );
    bus.serve(AuditStatus, () => ledgerStatus(bus, this.ingestor, this.check), 'auditor');
    bus.serve(AuditParkedList, async (req) => {
      if (req.parkedSeq !== undefined) {
        const m = await bus.deadLetters.get(req.parkedSeq);
        return { parked: m ? [view(m, true)] : [], total: await bus.deadLetters.count() };
      }
      return bus.deadLetters.list(req.afterSeq, req.limit);
    }, 'auditor');
    bus.serve(AuditResubmit, (req) => resubmitParked(bus, this.store, this.ingestor, req.parkedSeq, req.events), 'auditor');
    // Health carries the ledger's lag and parked count, refreshed in the background so a health call costs nothing.
    const refresh = () => void ledgerStatus(bus, this.ingestor, this.check).then((s) => (this.status = s), () => undefined);
    refresh();
    this.statusTimer = setInterval(refresh, 2000);
    this.statusTimer.unref();
    serveHealth(this.rt, () => ({ chain: this.chain.last, checkpoint: this.chain.newestCheckpoint?.size ?? null, lag: this.status?.lag ?? null, parked: this.status?.parked ?? null, checkpointSeq: this.ingestor.watermark.through, gaps: { ...this.check.stats }, ...this.ingestor.stats }));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.statusTimer);
    this.chain.stop();
    this.check.stop();
    await this.ingestor.stop();
    await this.ds.destroy();
  }
}

@Module({})
export class AuditorModule {
  static register(rt: ServiceRuntime): DynamicModule {
    return {
      module: AuditorModule,
      imports: [RuntimeModule.forRoot(rt)],
      providers: [
        {
          provide: DATA_SOURCE,
          useFactory: async () => {
            const { CP_DATABASE_URL } = loadConfig(DatabaseConfigSchema);
            const applied = await migrate(CP_DATABASE_URL);
            if (applied.length > 0) rt.logger.info({ applied }, 'migrations applied');
            return (await createDataSource(CP_DATABASE_URL)).initialize();
          },
        },
        { provide: EventStore, useFactory: (ds: DataSource) => new EventStore(ds), inject: [DATA_SOURCE] },
        { provide: EventIngestor, useFactory: (store: EventStore) => new EventIngestor(rt.bus, store, rt.logger, { pullIntervalMs: loadConfig(AuditConfigSchema).CP_AUDIT_PULL_INTERVAL_MS }), inject: [EventStore] },
        { provide: CompletenessCheck, useFactory: (store: EventStore, ingestor: EventIngestor) => new CompletenessCheck(rt.bus, store, ingestor, rt.logger), inject: [EventStore, EventIngestor] },
        { provide: ChainAuditor, useFactory: (store: EventStore) => new ChainAuditor(store, loadConfig(AuditConfigSchema), rt.logger), inject: [EventStore] },
        AuditorLifecycle,
      ],
    };
  }
}
