import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DatabaseConfigSchema, loadConfig } from '@cp/shared/config';
import { migrate } from '@cp/shared/event-store';
import { RUNTIME, RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import { DEFAULT_ALERT_RULES, TimeScale, targetsWith } from '@cp/slo-collector/domain';
import { Pool } from 'pg';
import { AlertWebhook } from './alert-webhook';
import { loadJobs } from './jobs-file';
import { ProjectionStore } from './projection-store';
import { SloCollectorConfigSchema } from './slo-collector-config';
import { SloCollector } from './slo-collector.service';
import { serveSloRpcs } from './slo-rpcs';

const POOL = Symbol('Pool');

class SloCollectorLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(SloCollector) private readonly collector: SloCollector,
    @Inject(POOL) private readonly pool: Pool,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.collector.start();
    serveSloRpcs(this.rt, this.collector);
    serveHealth(this.rt, () => this.collector.stats());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.collector.stop();
    await this.pool.end();
  }
}

/** The SLO collector: SLOs, alerts and heartbeats from the event stream (docs/slo.md). */
@Module({})
export class SloCollectorModule {
  static register(rt: ServiceRuntime): DynamicModule {
    const config = loadConfig(SloCollectorConfigSchema);
    // An invalid job registry stops the service at boot, with a message naming the entry.
    const jobs = loadJobs(config.CP_JOBS_FILE);
    const time = new TimeScale(config.CP_SLO_TIME_SCALE);
    const targets = targetsWith({
      latency_p95: config.CP_SLO_TARGET_LATENCY_P95_MS,
      timeout_rate: config.CP_SLO_TARGET_TIMEOUT_RATE,
      tool_success_rate: config.CP_SLO_TARGET_TOOL_SUCCESS_RATE,
      degradation_rate: config.CP_SLO_TARGET_DEGRADATION_RATE,
      auto_recovery_rate: config.CP_SLO_TARGET_AUTO_RECOVERY_RATE,
    });
    const rules = { ...DEFAULT_ALERT_RULES, minEvents: config.CP_SLO_ALERT_MIN_EVENTS, raiseAfter: config.CP_SLO_ALERT_RAISE_AFTER, clearAfter: config.CP_SLO_ALERT_CLEAR_AFTER };
    const webhook = config.CP_ALERT_WEBHOOK_URL ? new AlertWebhook({ url: config.CP_ALERT_WEBHOOK_URL }, rt.logger) : undefined;
    return {
      module: SloCollectorModule,
      imports: [RuntimeModule.forRoot(rt)],
      providers: [
        {
          provide: POOL,
          useFactory: async () => {
            const { CP_DATABASE_URL } = loadConfig(DatabaseConfigSchema);
            // Migrations are serialized by an advisory lock, so the collector and the auditor may both run them.
            await migrate(CP_DATABASE_URL);
            // Plain pg for its two statements: typeorm is never loaded here (docs/performance.md, "The slo-collector's peak memory").
            return new Pool({ connectionString: CP_DATABASE_URL, max: 2 });
          },
        },
        {
          provide: SloCollector,
          useFactory: (pool: Pool) =>
            new SloCollector(rt, new ProjectionStore(pool, 'slo-collector'), { time, targets, recoveryGraceMs: time.scaled(config.CP_SLO_RECOVERY_GRACE_MS) }, rules, jobs, { evalIntervalMs: config.CP_SLO_EVAL_INTERVAL_MS, saveIntervalMs: config.CP_SLO_SAVE_INTERVAL_MS, pullIntervalMs: config.CP_SLO_PULL_INTERVAL_MS, heartbeatCheckMs: config.CP_HEARTBEAT_CHECK_MS }, webhook),
          inject: [POOL],
        },
        SloCollectorLifecycle,
      ],
    };
  }
}
