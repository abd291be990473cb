import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@cp/shared/testing';

/**
 * A TCP proxy in front of Postgres: the services connect through it, so the bench can cut every
 * connection (`killConnections`) or make Postgres unreachable for a while (`cut` / `restore`).
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.once('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Resets every open connection; new ones are still accepted. */
  killConnections(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    return n;
  }

  /** Unreachable: open connections reset, new ones refused, until `restore`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.killConnections();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  restore(): Promise<void> {
    return this.start();
  }

  async dispose(): Promise<void> {
    await this.cut();
  }
}
