import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { RegistryPublished, RegistryRejected } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { validateRegistry, type ProviderPlane, type RegistryVersion } from '@cp/router/data-plane';

/**
 * The router owns the provider registry file: it publishes the version it serves on start, and
 * watches the file (polled every `intervalMs`, so it works on any file system). A valid change is
 * published as a new version (`router.registry-published`, which every gateway applies without a
 * restart); an invalid, truncated or empty file is refused with an error log and a
 * `router.registry-rejected` event naming what is wrong, and the last good version stays in force
 * everywhere.
 */
export class RegistryWatcher {
  private lastRejected?: string;
  rejected = 0;

  constructor(
    private readonly rt: ServiceRuntime,
    private readonly plane: ProviderPlane,
    private readonly onNew: (v: RegistryVersion) => void,
    private readonly intervalMs = 500,
  ) {}

  get version(): string {
    return this.plane.version;
  }

  start(): void {
    const served = this.read();
    // Published on every start: gateways skip a version they have, and the store keeps the last good one for restarts.
    if (served && served.version === this.plane.version) this.publish(served);
    watchFile(this.plane.file, { interval: this.intervalMs, persistent: false }, () => this.check());
  }

  stop(): void {
    unwatchFile(this.plane.file);
  }

  /** Reads the file now: publishes a new valid version, refuses an invalid one. */
  check(): void {
    const next = this.read();
    if (!next || next.version === this.plane.version) return;
    this.lastRejected = undefined;
    this.plane.version = next.version;
    this.plane.registry = next.registry;
    this.onNew(next);
    this.publish(next);
    this.rt.logger.info({ version: next.version, file: this.plane.file }, 'provider registry changed: new version published');
  }

  private read(): RegistryVersion | undefined {
    let text: string;
    try {
      text = readFileSync(this.plane.file, 'utf8');
    } catch (err) {
      return this.reject(`cannot read it: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
      return validateRegistry(text, this.plane.config);
    } catch (err) {
      return this.reject(err instanceof Error ? err.message : String(err));
    }
  }

  private reject(reason: string): undefined {
    if (reason === this.lastRejected) return undefined;
    this.lastRejected = reason;
    this.rejected++;
    this.rt.logger.error({ file: this.plane.file, reason: reason.slice(0, 500), kept: this.plane.version }, 'provider registry file refused; the last good version stays in force');
    this.rt.bus.publish(RegistryRejected, { file: this.plane.file, reason: reason.slice(0, 2000), keptVersion: this.plane.version }, { streamId: 'registry:providers', correlationId: `registry:${this.plane.version}` });
    return undefined;
  }

  private publish(v: RegistryVersion): void {
    this.rt.bus.publish(RegistryPublished, { version: v.version, yaml: v.yaml, file: this.plane.file }, { streamId: 'registry:providers', correlationId: `registry:${v.version}` });
  }
}
