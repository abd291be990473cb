import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Subscription } from '@nats-io/transport-node';
import { loadConfig } from '@cp/shared/config';
import { CapabilityProbed, catalogFailure, EventEnvelope, RouterMatrix, RouterModels, RouterProbe, type MatrixReply, type ModelsReply, type PayloadOf, type ProbeRequest, newId as generateId } from '@cp/shared/contracts';
import { eventsOf } from '@cp/shared/messaging';
import type { ServiceRuntime } from '@cp/shared/runtime';
import type { BreakerBook, ProviderRegistry } from '@cp/router/domain';
import { HttpProviderClient, StoreRestore } from '@cp/router/data-plane';
import { z } from 'zod';
import { CapabilityProber, type ModelProbe } from './capability-prober';
import { isNewerProbe, matrixEntries, probeFor, modelsReply, selectProbeTargets, type ProbeTarget } from './capability-matrix';

export const CatalogConfigSchema = z.object({
  /** Probe every model once at boot, in the background. */
  CP_PROBE_ON_BOOT: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** The most one probe call may take (connect, first byte and total), whatever the provider's own timeouts. */
  CP_PROBE_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
});
export type CatalogConfig = z.infer<typeof CatalogConfigSchema>;

type Published = PayloadOf<typeof CapabilityProbed>;
type Trigger = Published['trigger'];

/**
 * The router's model catalog and compatibility matrix: serves `router.models`, `router.matrix` and
 * `router.probe`, keeps the last probe of each model in memory, publishes each one as
 * `router.capability-probed`, and applies the ones other replicas publish. On start it restores the
 * newest stored probe of each model, so a restarted or new replica answers the same matrix. Probes
 * use their own HTTP pools, so they never take a connection from the completion path.
 */
export class CapabilityCatalog implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly probes = new Map<string, ModelProbe>();
  private readonly inFlight = new Map<string, Promise<ModelProbe>>();
  private readonly http: HttpProviderClient;
  private readonly prober: CapabilityProber;
  private readonly loadedAt: number;
  private sub?: Subscription;
  private readonly restore: StoreRestore<typeof CapabilityProbed>;

  constructor(
    private readonly rt: ServiceRuntime,
    private registry: ProviderRegistry,
    private readonly breakers: BreakerBook,
    private readonly config: CatalogConfig = loadConfig(CatalogConfigSchema),
    private readonly newId: () => string = generateId,
    hosts?: ReadonlyMap<string, string | null>,
  ) {
    this.http = new HttpProviderClient(rt.tracer, hosts);
    this.prober = new CapabilityProber(this.http, config.CP_PROBE_TIMEOUT_MS);
    this.loadedAt = Math.floor(Date.now() / 1000);
    this.restore = new StoreRestore(rt, CapabilityProbed, (p) => this.apply(p), 'capability probes');
  }

  /** A new registry version: the catalog and matrix describe it from now on (probe results of unchanged models stay). */
  useRegistry(registry: ProviderRegistry): void {
    this.registry = registry;
  }

  async onModuleInit(): Promise<void> {
    // No queue group: every replica applies every probe result, so any of them answers the same matrix.
    this.sub = this.rt.bus.nc.subscribe(this.rt.bus.subject(CapabilityProbed.subject), {
      callback: (err, msg) => {
        if (err) return this.rt.logger.warn({ err: err.message }, 'capability-probed subscription error');
        // One message may carry several results (a batch, see `eventsOf`).
        for (const entry of eventsOf(msg.data)) this.applyPublished(entry);
      },
    });
    // Live first, then the store: nothing published in between is missed, and older results never win.
    await this.restore.start();
    this.rt.bus.serve(RouterModels, () => this.models(), 'router', catalogFailure);
    this.rt.bus.serve(RouterMatrix, () => this.matrix(), 'router', catalogFailure);
    this.rt.bus.serve(RouterProbe, (req) => this.probe(req, 'rpc'), 'router', catalogFailure);
  }

  onApplicationBootstrap(): void {
    if (!this.config.CP_PROBE_ON_BOOT) return;
    // In the background: the router serves completions while the probes run.
    void this.probe({}, 'boot').then(
      (r) => this.rt.logger.info({ probed: r.ok ? r.entries.length : 0 }, 'boot probes finished'),
      (err: unknown) => this.rt.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'boot probes failed'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.restore.stop();
    this.sub?.unsubscribe();
    await this.http.close();
  }

  models(): ModelsReply {
    return modelsReply(this.registry, this.loadedAt);
  }

  matrix(): MatrixReply {
    return { ok: true, generatedAt: new Date().toISOString(), entries: matrixEntries(this.registry, this.probes, (key) => this.breakers.stateOf(key)) };
  }

  /** Probes the named models (in parallel across models), then answers the whole matrix. */
  async probe(req: ProbeRequest, trigger: Trigger): Promise<MatrixReply> {
    const targets = selectProbeTargets(this.registry, req);
    if (!Array.isArray(targets)) return catalogFailure(targets);
    const runId = this.newId();
    await Promise.all(targets.map((t) => this.probeOnce(t, runId, req.requestId ?? runId, trigger)));
    return this.matrix();
  }

  /** A model already being probed is not probed twice at once: the second caller waits for the first run. */
  private probeOnce(target: ProbeTarget, runId: string, correlationId: string, trigger: Trigger): Promise<ModelProbe> {
    const running = this.inFlight.get(target.key);
    if (running) return running;
    const run = this.prober
      .probeModel(target.provider, target.model)
      .then((probe) => {
        this.probes.set(target.key, probe);
        this.publish(target, probe, runId, correlationId, trigger);
        return probe;
      })
      .finally(() => this.inFlight.delete(target.key));
    this.inFlight.set(target.key, run);
    return run;
  }

  private publish(target: ProbeTarget, probe: ModelProbe, runId: string, correlationId: string, trigger: Trigger): void {
    const failed = Object.entries(probe.capabilities).filter(([, c]) => c.status === 'failed').map(([name]) => name);
    if (probe.completion.status === 'failed' || failed.length > 0) this.rt.logger.warn({ model: target.key, completion: probe.completion.status, failed }, 'capability probe failed');
    this.rt.bus.publish(
      CapabilityProbed,
      { runId, trigger, key: target.key, provider: target.provider.id, model: target.model.id, wire: target.provider.wire, simulated: target.provider.simulated, ...probe },
      { streamId: `model:${target.key}`, correlationId },
    );
  }

  private applyPublished(data: unknown): void {
    const envelope = EventEnvelope.safeParse(data);
    if (!envelope.success) return;
    const payload = CapabilityProbed.schema.safeParse(envelope.data.payload);
    if (payload.success) this.apply(payload.data);
  }

  /** Keeps a published probe when it still describes the registry's model and is newer than ours. */
  private apply(published: Published): boolean {
    const probe = probeFor(this.registry, published);
    if (!probe || !isNewerProbe(probe, this.probes.get(published.key))) return false;
    this.probes.set(published.key, probe);
    return true;
  }
}
