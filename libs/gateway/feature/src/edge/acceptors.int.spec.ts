import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { addAcceptors, type Acceptors } from './acceptors';

/** Real sockets and a real child process; no Postgres or NATS. */
describe('addAcceptors', () => {
  let server: Server;
  let acceptors: Acceptors | undefined;
  const clients: Socket[] = [];

  beforeEach(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    acceptors?.close();
    acceptors = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const port = () => (server.address() as AddressInfo).port;

  /** Opens `n` connections while the loop is blocked, then counts the connections accepted in the poll phase that accepts the first. */
  async function acceptedInOneIteration(n: number): Promise<number> {
    let seen = 0;
    let first: (count: number) => void = () => undefined;
    const firstIteration = new Promise<number>((resolve) => (first = resolve));
    const all = new Promise<void>((resolve) => {
      server.on('connection', function onConnection() {
        // The check phase runs right after the poll phase that is accepting now.
        if (++seen === 1) setImmediate(() => first(seen));
        if (seen === n) {
          server.off('connection', onConnection);
          resolve();
        }
      });
    });
    for (let i = 0; i < n; i++) clients.push(connect(port(), '127.0.0.1').on('error', () => undefined));
    // connect() makes its system call on the next tick: block right after those ticks, before any
    // poll phase, while the kernel completes every handshake, so all n wait in the accept queue.
    process.nextTick(() => {
      const until = Date.now() + 100;
      while (Date.now() < until);
    });
    const count = await firstIteration;
    await all;
    return count;
  }

  it('given 7 extra handles, when 32 connections arrive at once at a blocked loop, then one iteration accepts 8 of them instead of 1', async () => {
    const without = await acceptedInOneIteration(32);
    acceptors = await addAcceptors(server, 7);
    expect(acceptors.count).toBe(7);
    const withExtra = await acceptedInOneIteration(32);
    expect(without).toBe(1);
    expect(withExtra).toBe(8);
  });

  it('given extra handles, when clients send requests on new keep-alive connections, then the server answers every one', async () => {
    acceptors = await addAcceptors(server, 3);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => new Promise<string>((resolve, reject) => {
        request({ port: port(), host: '127.0.0.1', path: '/', agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${body}`));
        }).on('error', reject).end();
      })),
    );
    expect(answers).toEqual(Array(20).fill('200 ok'));
  });

  it('given extra handles, when they and the server close, then the port refuses connections (no duplicate keeps the socket listening)', async () => {
    acceptors = await addAcceptors(server, 5);
    const p = port();
    acceptors.close();
    await new Promise((resolve) => server.close(resolve));
    const refused = await new Promise<string>((resolve) => {
      const s = connect(p, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve('connected'); });
      s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('given a count of 0, when asked, then nothing is added', async () => {
    acceptors = await addAcceptors(server, 0);
    expect(acceptors.count).toBe(0);
  });
});
