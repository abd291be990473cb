import { unwatchFile, watchFile } from 'node:fs';
import { ToolPolicyPublished, ToolPolicyRejected } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import type { ToolPolicyVersion } from '@cp/tool-governor/domain';
import { readToolPolicyFile } from './policy-source';

/**
 * tool-governor owns `config/tools.yaml`: it publishes the version it serves on start and watches
 * the file (polled, so it works on any file system). A valid change is published as a new version
 * (`tool-governor.policy-published`, which every gateway applies without a restart); an invalid or
 * empty file is refused with an error log and a `tool-governor.policy-rejected` event naming what is
 * wrong, and the last good version stays in force everywhere.
 */
export class PolicyWatcher {
  private lastRejected?: string;
  rejected = 0;

  constructor(
    private readonly rt: Pick<ServiceRuntime, 'bus' | 'logger'>,
    private readonly file: string,
    private current: ToolPolicyVersion,
    private readonly intervalMs = 500,
  ) {}

  get version(): string {
    return this.current.version;
  }

  get policy(): ToolPolicyVersion {
    return this.current;
  }

  start(): void {
    this.publish(this.current);
    watchFile(this.file, { interval: this.intervalMs, persistent: false }, () => this.check());
  }

  stop(): void {
    unwatchFile(this.file);
  }

  /** Reads the file now: publishes a new valid version, refuses an invalid one. */
  check(): void {
    let next: ToolPolicyVersion;
    try {
      next = readToolPolicyFile(this.file);
    } catch (err) {
      return this.reject(err instanceof Error ? err.message : String(err));
    }
    this.lastRejected = undefined;
    if (next.version === this.current.version) return;
    this.current = next;
    this.publish(next);
    this.rt.logger.info({ version: next.version, file: this.file }, 'tool policy changed: new version published');
  }

  private reject(reason: string): void {
    if (reason === this.lastRejected) return;
    this.lastRejected = reason;
    this.rejected++;
    this.rt.logger.error({ file: this.file, reason: reason.slice(0, 500), kept: this.current.version }, 'tool policy file refused; the last good version stays in force');
    this.rt.bus.publish(ToolPolicyRejected, { file: this.file, reason: reason.slice(0, 2000), keptVersion: this.current.version }, { streamId: 'policy:tools', correlationId: `tools:${this.current.version}` });
  }

  private publish(v: ToolPolicyVersion): void {
    this.rt.bus.publish(ToolPolicyPublished, { version: v.version, yaml: v.yaml, file: this.file }, { streamId: 'policy:tools', correlationId: `tools:${v.version}` });
  }
}
