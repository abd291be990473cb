import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FastifyReply } from 'fastify';
import { SseResponse } from './sse';

/** Real sockets; no Postgres or NATS. Counts the socket writes a response makes after its headers. */
describe('SseResponse', () => {
  let server: Server;
  let handle: (sse: SseResponse, res: ServerResponse) => void;
  let writes: number;

  beforeEach(async () => {
    server = createServer((_req, res) => {
      const reply = { raw: res, hijack: () => undefined } as unknown as FastifyReply;
      const sse = new SseResponse(reply, 'req-1', performance.now());
      countWrites(res.socket as Socket);
      handle(sse, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function countWrites(socket: Socket): void {
    writes = 0;
    const s = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    const write = s._write;
    const writev = s._writev;
    s._write = function (this: unknown, ...a: unknown[]) {
      writes++;
      return write.apply(this, a);
    };
    s._writev = function (this: unknown, ...a: unknown[]) {
      writes++;
      return writev.apply(this, a);
    };
  }

  /** The whole body, and when each piece of it arrived (ms after the request). */
  function fetchBody(): Promise<{ body: string; pieces: { at: number; text: string }[] }> {
    const started = performance.now();
    const port = (server.address() as AddressInfo).port;
    return new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/' }, (res: IncomingMessage) => {
        const pieces: { at: number; text: string }[] = [];
        res.setEncoding('utf8');
        res.on('data', (text: string) => pieces.push({ at: performance.now() - started, text }));
        res.on('end', () => resolve({ body: pieces.map((p) => p.text).join(''), pieces }));
      }).on('error', reject);
    });
  }

  const BODY = 'data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n';

  it.each([
    // The headers, both chunks and the end in one write.
    { hint: true, writes: 1, case: 'the provider stream complete before the answer ends: the last chunks leave in one write with [DONE]' },
    // The headers with the chunks when the tick's uncork runs, then the end.
    { hint: false, writes: 2, case: 'no ending hint: the chunks leave at the end of their tick and the end in a write of its own' },
  ])('Given $case (done() in the same tick)', async ({ hint, writes: expected }) => {
    handle = (sse) => {
      sse.write('{"n":1}');
      sse.write('{"n":2}');
      if (hint) sse.ending();
      void Promise.resolve().then(() => sse.done());
    };
    const { body } = await fetchBody();
    expect(body).toBe(BODY);
    expect(writes).toBe(expected);
  });

  it('Given the ending hint and an answer that ends much later, When the chunks are held, Then they still leave within the same turn of the loop, long before the end', async () => {
    handle = (sse) => {
      sse.write('{"n":1}');
      sse.write('{"n":2}');
      sse.ending();
      setTimeout(() => sse.done(), 300);
    };
    const { body, pieces } = await fetchBody();
    expect(body).toBe(BODY);
    const firstChunk = pieces.find((p) => p.text.includes('"n":1'));
    const done = pieces.find((p) => p.text.includes('[DONE]'));
    expect(done!.at - firstChunk!.at).toBeGreaterThan(200);
  });

  it('Given the client goes away mid-stream, When the signal is read, Then it is aborted and fires its listener once', async () => {
    const fired = jest.fn();
    let signal: SseResponse['signal'] | undefined;
    const closed = new Promise<void>((resolve) => {
      handle = (sse, res) => {
        signal = sse.signal;
        signal.addEventListener('abort', fired, { once: true });
        sse.write('{"n":1}');
        res.on('close', () => setImmediate(resolve));
      };
    });
    const port = (server.address() as AddressInfo).port;
    const req = get({ host: '127.0.0.1', port, path: '/' }, (res) => res.once('data', () => req.destroy()));
    req.on('error', () => undefined);
    await closed;
    expect(signal!.aborted).toBe(true);
    expect(fired).toHaveBeenCalledTimes(1);
  });
});
