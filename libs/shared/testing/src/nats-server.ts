import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports';

export const NATS_SERVER_BIN = process.env.CP_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

/**
 * A nats-server of a test's own (JetStream, file storage in a temp directory), for tests that must
 * take NATS away without touching the server other runs share. `kill` stops it like a crash
 * (SIGKILL); `start` brings it back on the same port with the same store, so streams, consumers
 * and the duplicate window survive as they would on a real restart.
 */
export class PrivateNatsServer {
  private proc: ChildProcess | undefined;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'cp-nats-'));
  port = 0;

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts) the server and resolves once it accepts connections. */
  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    this.proc = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' });
    await waitFor(`nats-server on ${this.port}`, () => accepts(this.port), 15_000, 50);
    return this;
  }

  /** Kills the server without a goodbye, as a crash or a lost host would (`SIGTERM`: an operator's stop). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    await exited;
  }

  /** Stops the server and removes its store. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}
