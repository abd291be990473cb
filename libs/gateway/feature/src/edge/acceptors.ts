import { spawn } from 'node:child_process';
import type { Server as HttpServer } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * More listening handles on the gateway's one listening socket, so that a storm of new connections
 * is accepted in a few event-loop iterations instead of one connection per iteration.
 *
 * Why: since libuv 1.45 (libuv/libuv#3696) a listening handle gets one `accept()` per readiness
 * notification, and a saturated gateway's iterations last tens of milliseconds, so 128 connections
 * opened at once waited up to 2 s in the kernel's accept queue (docs/performance.md, "The
 * multi-second outliers at closed-128"). Each extra handle wraps its own file descriptor of the same
 * socket, and epoll reports each of them, so an iteration accepts up to `count + 1` connections.
 * Node 20 has no `reusePort` (22.12 has) and no call that duplicates a descriptor, so a short-lived
 * child does it: it receives the socket's handle over IPC (as a raw handle, which it never listens
 * on, so it accepts nothing) and sends it back `count` times; every message carries a new
 * descriptor (SCM_RIGHTS). The accepted connections go to the HTTP server as its own ('connection',
 * which Node documents for injecting connections), so its parser, timeouts and close semantics apply.
 */
export interface Acceptors {
  /** How many extra handles listen (0 when duplicating failed or was switched off). */
  readonly count: number;
  /** Stops every extra handle (the HTTP server's own handle is the server's business). */
  close(): void;
}

/**
 * The child's whole program: send the handle back `count` times, one at a time (Node queues a handle
 * until the last one is acknowledged), then exit. `on`, not `once`: a channel without a 'message'
 * listener is unreferenced, and the child would exit with sends still queued.
 */
const DUPLICATOR = `process.on('message', (m, h) => {
  let left = m.count;
  const next = (err) => { if (err || left-- === 0 || !h) { process.exit(err || !h ? 1 : 0); } process.send('dup', h, next); };
  next();
});`;

/** Handles with a descriptor, as Node's internal TCP wrap (what a listening net.Server holds in `_handle`). */
type RawHandle = { fd?: number };

/**
 * Adds `count` listening handles on `server`'s socket (already listening); gives up after
 * `deadlineMs` and keeps what it got, since the server serves without them. Linux and other Unix only.
 */
export async function addAcceptors(server: HttpServer, count: number, deadlineMs = 5_000): Promise<Acceptors> {
  const handle = (server as unknown as { _handle?: RawHandle | null })._handle;
  if (count <= 0 || process.platform === 'win32' || !handle) return { count: 0, close: () => undefined };
  const extra: NetServer[] = [];
  const close = () => {
    for (const s of extra.splice(0)) s.close();
  };
  const inject = (socket: Socket) => server.emit('connection', socket);
  // No NODE_OPTIONS or preloads: the child needs none of the service's flags (a --cpu-prof would profile it too).
  const child = spawn(process.execPath, ['-e', DUPLICATOR], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: {} });
  await new Promise<void>((resolve) => {
    // Done when the child is gone: until then it holds a descriptor of the socket too.
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    const done = () => {
      clearTimeout(timer);
      child.removeAllListeners('message');
      resolve();
    };
    child.on('message', (_m: unknown, dup?: RawHandle) => {
      if (!dup) return;
      // The options http.Server gives its own net.Server: half-open sockets stay writable for the answer.
      const acceptor = new NetServer({ allowHalfOpen: true, noDelay: true }, inject);
      // An accept error (EMFILE) leaves the connection queued for the next iteration, as on the server's own handle.
      acceptor.on('error', () => undefined);
      acceptor.listen(dup as never);
      extra.push(acceptor);
    });
    child.once('close', done);
    child.once('error', done);
    child.send({ count }, handle as never, (err) => err && child.kill('SIGKILL'));
  });
  return {
    get count() {
      return extra.length;
    },
    close,
  };
}
