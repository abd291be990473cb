import { Module, type DynamicModule } from '@nestjs/common';
import { loadConfig } from '@cp/shared/config';
import { RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import { ApiKeyGuard } from './api-key.guard';
import { AuditController } from './audit.controller';
import { ChatCompletionsController } from './chat-completions.controller';
import { CompletionService } from './completion.service';
import type { ProviderPlane } from '@cp/router/data-plane';
import type { ToolPolicyVersion } from '@cp/tool-governor/domain';
import { DataPlane } from './data-plane';
import { GATEWAY_CONFIG, GatewayConfigSchema } from './gateway-config';
import { HealthController } from './health.controller';
import { MemoryController } from './memory.controller';
import { ModelsController } from './models.controller';
import { AuditorLag } from './metrics/auditor-lag';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { recordAbandoned } from './request-ledger';
import { DashboardController } from './dashboard/dashboard.controller';
import { SloController } from './slo.controller';
import { ToolsController } from './tools.controller';
import { TOOLS_MEMO, type ToolsMemo } from './edge/tools-memo';

@Module({})
export class GatewayModule {
  static register(rt: ServiceRuntime, plane: ProviderPlane, toolPolicy: ToolPolicyVersion, toolsMemo?: ToolsMemo): DynamicModule {
    const config = loadConfig(GatewayConfigSchema);
    // Built here, not lazily: the plane was loaded (file, else last published version) before Nest starts.
    const dataPlane = new DataPlane(rt, plane, toolPolicy);
    const auditorLag = new AuditorLag(rt.bus);
    const metrics = new GatewayMetrics({ breakers: () => dataPlane.breakerStates(), publisher: () => rt.bus.events.snapshot(), auditorLag: () => auditorLag.get() });
    serveHealth(rt, () => ({ ...dataPlane.details(), spool: rt.bus.events.spool?.stats(), ...(toolsMemo ? { toolsMemo: toolsMemo.stats() } : {}) }));
    const abandoned = recordAbandoned(rt.bus, rt.recovered);
    if (abandoned > 0) rt.logger.warn({ abandoned }, 'recorded the requests a gateway that died was holding');
    return {
      module: GatewayModule,
      imports: [RuntimeModule.forRoot(rt)],
      controllers: [ChatCompletionsController, HealthController, AuditController, ModelsController, SloController, DashboardController, ToolsController, MemoryController, MetricsController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, { provide: DataPlane, useFactory: () => dataPlane }, { provide: GatewayMetrics, useValue: metrics }, { provide: TOOLS_MEMO, useValue: toolsMemo ?? null }, ApiKeyGuard, CompletionService],
    };
  }
}
