import { createServer, type RequestListener, type Server } from 'node:http';
import { clientHost, closeServer, listen } from './net-util';

/**
 * A port that serves one instance at root paths. It can be closed and re-opened on the same port,
 * which is how the `refuse` fault produces a real ECONNREFUSED. Opens and closes are serialised so
 * that concurrent control calls cannot interleave.
 */
export class DedicatedListener {
  private server: Server | null = null;
  private pending: Promise<void> = Promise.resolve();

  private constructor(
    private readonly host: string,
    private assignedPort: number,
    private readonly handler: RequestListener,
  ) {}

  /** Binds the port (0 = any free one) so it is known, then leaves it open. */
  static async create(host: string, port: number, handler: RequestListener): Promise<DedicatedListener> {
    const listener = new DedicatedListener(host, port, handler);
    await listener.setOpen(true);
    return listener;
  }

  get port(): number {
    return this.assignedPort;
  }

  get url(): string {
    return `http://${clientHost(this.host)}:${this.assignedPort}`;
  }

  setOpen(open: boolean): Promise<void> {
    const next = this.pending.then(() => (open ? this.open() : this.close()));
    // Later calls wait for this one whether it succeeds or not; the caller still sees its error.
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async open(): Promise<void> {
    if (this.server) return;
    const server = createServer(this.handler);
    this.assignedPort = await listen(server, this.host, this.assignedPort);
    this.server = server;
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeServer(server);
  }
}
