import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RUNTIME, RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import type { ToolPolicyVersion } from '@cp/tool-governor/domain';
import { LocalToolExecutor } from './local-tool-executor';
import { PolicyWatcher } from './policy-watcher';
import { ToolStatsService } from './tool-stats-service';

/**
 * tool-governor: owns the tool policy file and publishes its versions, runs the local tools for the
 * gateways' pipelines and serves tool statistics. Enforcement happens in the gateways, from their
 * copy of the policy: this service being down changes nothing on the request path but local tools.
 */
class ToolGovernorLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(PolicyWatcher) private readonly watcher: PolicyWatcher,
    @Inject(LocalToolExecutor) private readonly executor: LocalToolExecutor,
    @Inject(ToolStatsService) private readonly stats: ToolStatsService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.executor.start();
    this.stats.start();
    this.watcher.start();
  }

  onApplicationBootstrap(): void {
    serveHealth(this.rt, () => ({ policyVersion: this.watcher.version, rejectedPolicies: this.watcher.rejected, localRuns: this.executor.runs }));
  }

  onApplicationShutdown(): void {
    this.watcher.stop();
    this.stats.stop();
  }
}

@Module({})
export class ToolGovernorModule {
  static register(rt: ServiceRuntime, file: string, starting: ToolPolicyVersion): DynamicModule {
    const watcher = new PolicyWatcher(rt, file, starting);
    rt.logger.info({ file, version: starting.version }, 'tool policy loaded');
    return {
      module: ToolGovernorModule,
      imports: [RuntimeModule.forRoot(rt)],
      providers: [
        { provide: PolicyWatcher, useValue: watcher },
        { provide: LocalToolExecutor, useValue: new LocalToolExecutor(rt) },
        { provide: ToolStatsService, useValue: new ToolStatsService(rt, () => watcher.version) },
        ToolGovernorLifecycle,
      ],
    };
  }
}
