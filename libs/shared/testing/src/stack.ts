import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serviceArgv } from '@cp/shared/supervision';
import { freePort, waitFor } from './ports';
import { dropIsolation, newIsolation, type Isolation } from './isolation';

export const REPO_ROOT = resolve(__dirname, '../../../..').replace(/\/dist$/, '');
export const STACK_SERVICES = ['auditor', 'router', 'tool-governor', 'memory-plane', 'slo-collector', 'gateway'] as const;
export type StackService = (typeof STACK_SERVICES)[number] | 'provider-sim';

export interface StackOptions {
  label: string;
  env?: Record<string, string>;
  /** Per-service extra environment. */
  serviceEnv?: Partial<Record<StackService, Record<string, string>>>;
  /** Skip starting provider-sim (a test brings its own upstream). */
  withoutSim?: boolean;
  /** Another NATS server than the shared one (see `PrivateNatsServer`). */
  natsUrl?: string;
  /** How long `start` waits for every service in /health (default 30 s; a busy shared machine may need more). */
  healthTimeoutMs?: number;
}

/**
 * The whole control plane as processes built from `dist/`, isolated from any other run by its own
 * database, JetStream stream and subject namespace. Logs go to `.run/test-logs/<run>/<service>.log`.
 */
export class Stack {
  /** Running processes by name: the service name, or the replica name given to `spawn`. */
  readonly procs = new Map<string, ChildProcess>();
  readonly iso: Isolation;
  readonly apiKey = 'sk-cp-test-key-0123456789';
  gatewayUrl = '';
  simUrl = '';
  protected env: Record<string, string> = {};
  readonly logDir: string;

  constructor(protected readonly opts: StackOptions) {
    this.iso = newIsolation(opts.label, opts.natsUrl);
    this.logDir = join(REPO_ROOT, '.run', 'test-logs', this.iso.runId);
  }

  async start(): Promise<this> {
    mkdirSync(this.logDir, { recursive: true });
    const gatewayPort = await freePort();
    const simPort = await freePort();
    this.gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    this.simUrl = `http://127.0.0.1:${simPort}`;
    this.env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      CP_NATS_URL: this.iso.natsUrl,
      CP_NATS_NAMESPACE: this.iso.namespace,
      CP_EVENTS_STREAM: this.iso.stream,
      CP_DATABASE_URL: this.iso.databaseUrl,
      CP_GATEWAY_PORT: String(gatewayPort),
      CP_GATEWAY_KEYS: this.apiKey,
      CP_PROVIDER_SIM_URL: this.simUrl,
      CP_SIM_PORT: String(simPort),
      CP_LOG_LEVEL: 'info',
      ...this.opts.env,
    };
    await this.launch();
    await this.waitHealthy(this.opts.healthTimeoutMs);
    return this;
  }

  /** Starts provider-sim (unless `withoutSim`) and the six services with `this.env`. */
  protected async launch(): Promise<void> {
    if (!this.opts.withoutSim) this.spawn('provider-sim');
    for (const s of STACK_SERVICES) this.spawn(s);
  }

  /**
   * Starts a service; `name` starts another replica of it under that name (default: the service),
   * and `env` adds to that process's environment (a replica's own port, say).
   */
  spawn(service: StackService, name: string = service, env: Record<string, string> = {}): ChildProcess {
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, serviceArgv(REPO_ROOT, service), {
      cwd: REPO_ROOT,
      env: { ...this.env, ...(this.opts.serviceEnv?.[service] ?? {}), ...env, OTEL_SERVICE_NAME: service },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Two sources share one file: neither may end it, or a service dying at start would make the
    // other's late write fail with ERR_STREAM_WRITE_AFTER_END and crash the test process.
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('close', () => log.end());
    this.procs.set(name, child);
    return child;
  }

  /**
   * Starts another gateway replica on a port of its own (same registry, breaker settings and bus as
   * the first) and resolves with its URL once it answers `/health`.
   */
  async spawnGateway(name: string): Promise<string> {
    const port = await freePort();
    this.spawn('gateway', name, { CP_GATEWAY_PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${name} answering /health`, async () => ((await fetch(`${url}/health`)).ok ? true : undefined), 30_000, 200);
    return url;
  }

  /** SIGTERM one service (or named replica) and wait for it to exit. */
  async stopService(service: string): Promise<number | null> {
    const child = this.procs.get(service);
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    const code = await exited;
    this.procs.delete(service);
    return code;
  }

  async waitHealthy(timeoutMs = 90_000): Promise<void> {
    await waitFor(
      'every service up in /health',
      async () => {
        const res = await fetch(`${this.gatewayUrl}/health`);
        const body = (await res.json()) as { status: string };
        return body.status === 'ok' ? true : undefined;
      },
      timeoutMs,
      200,
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((s) => this.stopService(s)));
    await dropIsolation(this.iso).catch(() => undefined);
  }
}
