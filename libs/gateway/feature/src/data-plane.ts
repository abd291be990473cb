import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { redactRegistry } from '@cp/router/domain';
import { BreakerSync, CompletionPipeline, HttpProviderClient, natsGrantAsker, ProbeGrants, RegistryFollower, shareTransitions, type ProviderPlane } from '@cp/router/data-plane';
import type { ToolPolicyVersion } from '@cp/tool-governor/domain';
import { newId } from '@cp/shared/contracts';
import { GatewayTools } from './gateway-tools';

/**
 * The gateway's data plane: the provider registry (read and validated at boot, from the same
 * variables as the router), this replica's breakers, the provider HTTP pools and the completion
 * pipeline that uses them, all in this process. Breaker transitions are shared with the other
 * replicas, and restored from the store before the gateway takes requests; a half-open probe goes
 * out only with the router's grant (`ProbeGrants`), so the deployment sends one per provider.
 */
export class DataPlane implements OnModuleInit, OnApplicationShutdown {
  readonly pipeline: CompletionPipeline;
  readonly sync: BreakerSync;
  readonly grants: ProbeGrants;
  private readonly http: HttpProviderClient;
  private readonly follower: RegistryFollower;
  readonly tools: GatewayTools;

  constructor(
    private readonly rt: ServiceRuntime,
    private readonly plane: ProviderPlane,
    toolPolicy: ToolPolicyVersion,
  ) {
    this.http = new HttpProviderClient(rt.tracer, plane.config.CP_PROVIDER_RESOLVE, plane.config.CP_PROVIDER_MAX_REPLY_BYTES);
    this.sync = new BreakerSync(rt, plane.breakers, newId());
    // Before the restore (onModuleInit): a breaker restored open gets its grant timer too.
    this.grants = new ProbeGrants(plane.breakers, natsGrantAsker(rt, this.sync.replicaId, plane.config.CP_PROBE_GRANT_TIMEOUT_MS), rt.logger);
    this.pipeline = new CompletionPipeline(this.http, plane.registry, plane.breakers, shareTransitions(rt.logger, this.sync, plane.config.CP_BREAKER_RESET_MS));
    this.tools = new GatewayTools(rt, toolPolicy);
    this.pipeline.useTools({ governor: this.tools.governor, runner: this.tools.runner });
    rt.logger.info({ version: plane.version, providers: plane.registry.providers.map((p) => ({ id: p.id, simulated: p.simulated })) }, 'provider registry loaded');
    // Versions the router publishes take effect here without a restart.
    this.follower = new RegistryFollower(rt, plane.config, plane.version, (v) => {
      this.plane.registry = v.registry;
      this.pipeline.useRegistry(v.registry);
    });
  }

  /** Breakers first: a restarted replica must not send traffic to a provider known to be down. */
  async onModuleInit(): Promise<void> {
    this.follower.start();
    this.tools.follower.start();
    await this.sync.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.sync.stop();
    this.grants.stop();
    this.follower.stop();
    this.tools.follower.stop();
    await this.http.close();
  }

  /** The registry requests are routed with now. */
  get registry() {
    return this.plane.registry;
  }

  /** Each breaker's state now, by `provider/model`. */
  breakerStates(): Record<string, string> {
    return Object.fromEntries(this.plane.breakers.snapshot().map((b) => [b.key, b.state]));
  }

  /** For `/health` details over NATS: this replica's id, how many providers, every breaker. */
  details(): Record<string, unknown> {
    return { replica: this.sync.replicaId, registryVersion: this.follower.version, providers: redactRegistry(this.plane.registry).providers.length, breakers: this.plane.breakers.snapshot(), probeGrants: this.grants.snapshot(), ...this.tools.details() };
  }
}
