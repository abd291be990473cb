import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RUNTIME, RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import { BreakerBook, redactRegistry, type ProviderRegistry } from '@cp/router/domain';
import { BreakerSync, loadProviderPlane } from '@cp/router/data-plane';
import { uuidv7 } from 'uuidv7';
import { CapabilityCatalog } from './capability-catalog';

const REGISTRY = Symbol('ProviderRegistry');

/**
 * The router is the routing control plane: it owns the provider registry and serves the catalog,
 * the compatibility matrix and probes. It calls providers only to probe them; completions run in
 * the gateway (the data plane, `@cp/router/data-plane`). Its breaker book mirrors the gateways'
 * breakers (their transitions, live and from the store), so the matrix shows every model's breaker.
 */
class RouterLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(BreakerBook) private readonly breakers: BreakerBook,
    @Inject(REGISTRY) private readonly registry: ProviderRegistry,
    @Inject(BreakerSync) private readonly sync: BreakerSync,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.sync.start();
  }

  /** Health answers only once every module is initialised, breakers and probe results restored included. */
  onApplicationBootstrap(): void {
    serveHealth(this.rt, () => ({ replica: this.sync.replicaId, providers: redactRegistry(this.registry).providers.length, breakers: this.breakers.snapshot() }));
  }

  onApplicationShutdown(): void {
    this.sync.stop();
  }
}

@Module({})
export class RouterModule {
  static register(rt: ServiceRuntime): DynamicModule {
    const { registry, breakers, config } = loadProviderPlane();
    rt.logger.info({ providers: registry.providers.map((p) => ({ id: p.id, simulated: p.simulated })) }, 'provider registry loaded');
    return {
      module: RouterModule,
      imports: [RuntimeModule.forRoot(rt)],
      providers: [
        { provide: REGISTRY, useValue: registry },
        { provide: BreakerBook, useValue: breakers },
        { provide: BreakerSync, useValue: new BreakerSync(rt, breakers, uuidv7()) },
        RouterLifecycle,
        { provide: CapabilityCatalog, useFactory: () => new CapabilityCatalog(rt, registry, breakers, undefined, undefined, config.CP_PROVIDER_RESOLVE) },
      ],
    };
  }
}
