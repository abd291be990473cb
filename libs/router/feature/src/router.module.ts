import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RouterComplete, RouterStream } from '@cp/shared/contracts';
import { RUNTIME, RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import { BreakerBook, redactRegistry, type ProviderRegistry } from '@cp/router/domain';
import { BreakerSync, CompletionPipeline, failedBeforeAnyAttempt, HttpProviderClient, loadProviderPlane, streamFailedBeforeAnyAttempt } from '@cp/router/data-plane';
import { uuidv7 } from 'uuidv7';
import { CapabilityCatalog } from './capability-catalog';

const REGISTRY = Symbol('ProviderRegistry');

class RouterLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(CompletionPipeline) private readonly pipeline: CompletionPipeline,
    @Inject(HttpProviderClient) private readonly http: HttpProviderClient,
    @Inject(BreakerBook) private readonly breakers: BreakerBook,
    @Inject(REGISTRY) private readonly registry: ProviderRegistry,
    @Inject(BreakerSync) private readonly sync: BreakerSync,
  ) {}

  async onModuleInit(): Promise<void> {
    // Breakers first: a restarted replica must not send traffic to a provider known to be down.
    await this.sync.start();
    // Queue group: router replicas share the completion load.
    this.rt.bus.serve(RouterComplete, (req) => this.pipeline.complete(req), 'router', failedBeforeAnyAttempt);
    this.rt.bus.serveStream(RouterStream, (req, sink) => this.pipeline.stream(req, sink), 'router', streamFailedBeforeAnyAttempt);
  }

  /** Health answers only once every module is initialised, breakers and probe results restored included. */
  onApplicationBootstrap(): void {
    serveHealth(this.rt, () => ({ replica: this.sync.replicaId, providers: redactRegistry(this.registry).providers.length, breakers: this.breakers.snapshot() }));
  }

  async onApplicationShutdown(): Promise<void> {
    this.sync.stop();
    await this.http.close();
  }
}

@Module({})
export class RouterModule {
  static register(rt: ServiceRuntime): DynamicModule {
    const { config, registry, breakers } = loadProviderPlane();
    const sync = new BreakerSync(rt, breakers, uuidv7());
    rt.logger.info({ providers: registry.providers.map((p) => ({ id: p.id, simulated: p.simulated })) }, 'provider registry loaded');
    return {
      module: RouterModule,
      imports: [RuntimeModule.forRoot(rt)],
      providers: [
        { provide: REGISTRY, useValue: registry },
        { provide: BreakerBook, useValue: breakers },
        { provide: HttpProviderClient, useFactory: () => new HttpProviderClient(rt.tracer) },
        { provide: BreakerSync, useValue: sync },
        {
          provide: CompletionPipeline,
          useFactory: (http: HttpProviderClient) =>
            new CompletionPipeline(http, registry, breakers, (t) => {
              // A misconfigured provider (rejected key, billing) needs an operator: it is logged as an error, an alert.
              if (t.misconfigured) rt.logger.error({ breaker: t.key, provider: t.provider, reason: t.reason, skippedForMs: config.CP_BREAKER_RESET_MS }, 'provider misconfigured: skipping it until the reset time, then probing');
              else rt.logger.warn({ breaker: t.key, transition: t.type, reason: t.reason }, 'breaker transition');
              sync.publish(t);
            }),
          inject: [HttpProviderClient],
        },
        RouterLifecycle,
        { provide: CapabilityCatalog, useFactory: () => new CapabilityCatalog(rt, registry, breakers) },
      ],
    };
  }
}
