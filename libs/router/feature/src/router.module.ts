import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RUNTIME, RuntimeModule, serveHealth, type ServiceRuntime } from '@cp/shared/runtime';
import { BreakerBook, redactRegistry } from '@cp/router/domain';
import { BreakerSync, type ProviderPlane } from '@cp/router/data-plane';
import { newId } from '@cp/shared/contracts';
import { CapabilityCatalog } from './capability-catalog';
import { RegistryWatcher } from './registry-watcher';
import { ProbeGrantService } from './probe-grant-service';

const REGISTRY = Symbol('ProviderPlane');

/**
 * The router is the routing control plane: it owns the provider registry and serves the catalog,
 * the compatibility matrix and probes. It calls providers only to probe them; completions run in
 * the gateway (the data plane, `@cp/router/data-plane`). Its breaker book mirrors the gateways'
 * breakers (their transitions, live and from the store), so the matrix shows every model's breaker,
 * and grants the single half-open probe of each breaker across the gateway replicas.
 */
class RouterLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @Inject(BreakerBook) private readonly breakers: BreakerBook,
    @Inject(REGISTRY) private readonly plane: ProviderPlane,
    @Inject(BreakerSync) private readonly sync: BreakerSync,
    @Inject(RegistryWatcher) private readonly watcher: RegistryWatcher,
    @Inject(ProbeGrantService) private readonly grants: ProbeGrantService,
  ) {}

  async onModuleInit(): Promise<void> {
    // Grants first: a gateway whose breaker reaches its reset time while this router restores should get an answer.
    this.grants.start();
    await this.sync.start();
    this.watcher.start();
  }

  /** Health answers only once every module is initialised, breakers and probe results restored included. */
  onApplicationBootstrap(): void {
    serveHealth(this.rt, () => ({ replica: this.sync.replicaId, registryVersion: this.watcher.version, rejectedRegistries: this.watcher.rejected, providers: redactRegistry(this.plane.registry).providers.length, breakers: this.breakers.snapshot() }));
  }

  onApplicationShutdown(): void {
    this.watcher.stop();
    this.sync.stop();
  }
}

@Module({})
export class RouterModule {
  static register(rt: ServiceRuntime, plane: ProviderPlane): DynamicModule {
    const { registry, breakers, config } = plane;
    rt.logger.info({ providers: registry.providers.map((p) => ({ id: p.id, simulated: p.simulated })) }, 'provider registry loaded');
    const grants = new ProbeGrantService(rt, config.CP_PROBE_GRANT_LEASE_MS);
    return {
      module: RouterModule,
      imports: [RuntimeModule.forRoot(rt)],
      providers: [
        { provide: REGISTRY, useValue: plane },
        { provide: BreakerBook, useValue: breakers },
        { provide: ProbeGrantService, useValue: grants },
        // The gateways' transitions reach the router live: a probe's outcome frees its lease.
        { provide: BreakerSync, useValue: new BreakerSync(rt, breakers, newId(), (t) => grants.onTransition(t)) },
        RouterLifecycle,
        { provide: CapabilityCatalog, useFactory: () => new CapabilityCatalog(rt, registry, breakers, undefined, undefined, config.CP_PROVIDER_RESOLVE) },
        { provide: RegistryWatcher, useFactory: (catalog: CapabilityCatalog) => new RegistryWatcher(rt, plane, (v) => catalog.useRegistry(v.registry)), inject: [CapabilityCatalog] },
      ],
    };
  }
}
