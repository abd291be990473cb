import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DatabaseConfigSchema, loadConfig } from '@cp/shared/config';
import { AuditReplay, AuditVerify } from '@cp/shared/contracts';
import { createDataSource, EventStore, migrate } from '@cp/shared/event-store';
import { RUNTIME, RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import type { DataSource } from 'typeorm';
import { EventIngestor } from './event-ingestor';

const DATA_SOURCE = Symbol('DataSource');

/** Starts ingestion and serves verify/health once the module is up; stops ingestion before the pool closes. */
class AuditorLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(EventIngestor) private readonly ingestor: EventIngestor,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ingestor.start();
    this.rt.bus.serve(AuditVerify, () => this.store.verify(), 'auditor');
    this.rt.bus.serve(
      AuditReplay,
      async (req) => {
        const stored = req.latestPerStream ? await this.store.latestPerStream(req.type, req.limit) : await this.store.read({ type: req.type, afterPosition: req.afterPosition, limit: req.limit });
        return { events: stored.map(({ hash: _hash, ...event }) => event) };
      },
      'auditor',
    );
    serveHealth(this.rt, () => ({ ...this.ingestor.stats }));
  }

  async onApplicationShutdown(): Promise<void> {
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
            return createDataSource(CP_DATABASE_URL).initialize();
          },
        },
        { provide: EventStore, useFactory: (ds: DataSource) => new EventStore(ds), inject: [DATA_SOURCE] },
        { provide: EventIngestor, useFactory: (store: EventStore) => new EventIngestor(rt.bus, store, rt.logger), inject: [EventStore] },
        AuditorLifecycle,
      ],
    };
  }
}
