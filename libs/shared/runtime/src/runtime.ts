import { BaseConfigSchema, buildInfo, ConfigError, loadConfig, secretsFromEnvironment, type BaseConfig, type BuildInfo } from '@cp/shared/config';
import { healthRpc, processSecrets, type HealthReply } from '@cp/shared/contracts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSpool, NatsBus, type RecoveredSpool } from '@cp/shared/messaging';
import { createLogger, initTelemetry, type ContextPropagation, type Logger, type Telemetry, type Tracer } from '@cp/shared/telemetry';

/** What every service has once booted: validated base config, logger, tracer and one bus connection. */
export interface ServiceRuntime {
  name: string;
  config: BaseConfig;
  build: BuildInfo;
  logger: Logger;
  tracer: Tracer;
  telemetry: Telemetry;
  bus: NatsBus;
  startedAt: number;
  /** What processes of this service that died left in their journals (their events are re-published already). */
  recovered: RecoveredSpool[];
}

/**
 * Opens this process's event journal and re-publishes what dead processes of the service left
 * unacknowledged (with their own ids: nothing is stored twice). Their abandoned requests are the
 * service's to record (the gateway does, as `abandoned` ledger events).
 */
function openSpool(bus: NatsBus, config: BaseConfig, name: string, logger: Logger): RecoveredSpool[] {
  const dir = config.CP_SPOOL_DIR ?? join(tmpdir(), 'cp-spool', config.CP_NATS_NAMESPACE ?? 'default', name);
  const { spool, recovered } = EventSpool.open(dir, config.CP_SPOOL_MAX_BYTES);
  bus.events.spool = spool;
  for (const r of recovered) {
    bus.republish(r.events);
    // Re-published events are in this process's own journal now.
    spool.flush();
    EventSpool.discard(dir, r);
    logger.warn({ from: r.from, events: r.events.length, abandoned: r.abandoned.length }, 'adopted the event journal of a process that died');
  }
  return recovered;
}

export const RUNTIME = Symbol('ServiceRuntime');

export interface RuntimeOptions {
  /** The service's default trace-context propagation (`CP_TRACE_CONTEXT` overrides it); `async` when absent. */
  contextPropagation?: ContextPropagation;
}

export async function createRuntime(name: string, opts: RuntimeOptions = {}): Promise<ServiceRuntime> {
  // Before anything can log, publish or trace: from here on no sink lets a configured key through.
  processSecrets.add(secretsFromEnvironment());
  const config = loadConfig(BaseConfigSchema);
  const build = buildInfo();
  const telemetry = initTelemetry({ serviceName: name, serviceVersion: build.version, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, otlpProtocol: config.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? config.OTEL_EXPORTER_OTLP_PROTOCOL, contextPropagation: config.CP_TRACE_CONTEXT ?? opts.contextPropagation ?? 'async', spanBatches: { scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY, maxExportBatchSize: config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE } });
  const logger = createLogger(name, config.CP_LOG_LEVEL);
  const bus = await NatsBus.connect({
    servers: config.CP_NATS_URL,
    service: name,
    namespace: config.CP_NATS_NAMESPACE,
    stream: config.CP_EVENTS_STREAM,
    tracer: telemetry.tracer,
    onError: (err, where) => logger.error({ err: errorSummary(err), where }, 'bus error'),
    eventsLingerMs: config.CP_EVENTS_LINGER_MS,
    onConnection: (state) => (state.connected ? logger.info({ nats: state }, 'NATS connection is back') : logger.error({ nats: state }, 'NATS connection lost; reconnecting')),
  });
  await bus.ensureEventStream();
  const recovered = openSpool(bus, config, name, logger);
  return { name, config, build, logger, tracer: telemetry.tracer, telemetry, bus, startedAt: Date.now(), recovered };
}

/**
 * Answers `cp.<service>.rpc.health.v1` so the gateway (and compose healthchecks) can see this
 * service. Its details carry the process's active resources by kind (timers, sockets...), so a
 * leak after a fault shows as a count that does not come back down.
 */
export function serveHealth(rt: ServiceRuntime, details?: () => Record<string, unknown>): void {
  rt.bus.serve(
    healthRpc(rt.name),
    (): HealthReply => ({ service: rt.name, status: 'up', version: rt.build.version, gitSha: rt.build.gitSha, uptimeMs: Date.now() - rt.startedAt, details: { ...details?.(), resources: activeResources() } }),
    `${rt.name}-health`,
  );
}

/** How many active resources of each kind keep the event loop alive (`Timeout`, `TCPSocketWrap`, ...). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

export interface Closable {
  close(): Promise<void>;
}

/**
 * Boots a service and installs SIGTERM/SIGINT handling: stop taking work (Nest app close), flush
 * pending event acks and drain NATS, end telemetry. A bad config exits with a message naming the key.
 */
export async function runService(name: string, start: (rt: ServiceRuntime) => Promise<Closable>, opts: RuntimeOptions = {}): Promise<void> {
  let rt: ServiceRuntime;
  let app: Closable;
  try {
    rt = await createRuntime(name, opts);
    app = await start(rt);
    await rt.bus.ready();
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : `failed to start: ${errorSummary(err).message}`;
    process.stderr.write(processSecrets.redactJson(JSON.stringify({ level: 'fatal', service: name, msg })) + '\n');
    process.exit(1);
  }
  rt.logger.info({ version: rt.build.version, gitSha: rt.build.gitSha }, `${name} started`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.logger.info({ signal }, `${name} stopping`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
      await rt.bus.close();
      await rt.telemetry.shutdown();
    } catch (err) {
      rt.logger.error({ err: errorSummary(err) }, 'error during shutdown');
    }
    rt.logger.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

export function errorSummary(err: unknown): { message: string; name?: string; code?: string } {
  if (err instanceof Error) return { message: err.message, name: err.name, code: (err as { code?: string }).code };
  return { message: String(err) };
}
