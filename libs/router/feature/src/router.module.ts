import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { loadConfig } from '@cp/shared/config';
import { RouterComplete } from '@cp/shared/contracts';
import { RUNTIME, RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import { z } from 'zod';
import { CompletionPipeline } from './completion-pipeline';
import { HttpProviderClient } from './http-provider-client';

export const RouterConfigSchema = z.object({
  CP_PROVIDER_SIM_URL: z.url().default('http://127.0.0.1:9900'),
});

class RouterLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(CompletionPipeline) private readonly pipeline: CompletionPipeline,
    @Inject(HttpProviderClient) private readonly http: HttpProviderClient,
  ) {}

  onModuleInit(): void {
    // Queue group: router replicas share the completion load.
    this.rt.bus.serve(RouterComplete, (req) => this.pipeline.complete(req), 'router');
    serveHealth(this.rt);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.http.close();
  }
}

@Module({})
export class RouterModule {
  static register(rt: ServiceRuntime): DynamicModule {
    const config = loadConfig(RouterConfigSchema);
    return {
      module: RouterModule,
      imports: [RuntimeModule.forRoot(rt)],
      providers: [
        { provide: HttpProviderClient, useFactory: () => new HttpProviderClient(rt.tracer) },
        {
          provide: CompletionPipeline,
          useFactory: (http: HttpProviderClient) =>
            new CompletionPipeline(http, (req) => [
              { id: 'provider-sim', model: req.request.model, baseUrl: `${config.CP_PROVIDER_SIM_URL.replace(/\/$/, '')}/v1`, timeouts: { connectMs: 1000, firstByteMs: 10_000, totalMs: 30_000 } },
            ]),
          inject: [HttpProviderClient],
        },
        RouterLifecycle,
      ],
    };
  }
}
