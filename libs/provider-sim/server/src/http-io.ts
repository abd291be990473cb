import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' } as const;

/** Raised when a request body exceeds what the simulator is willing to buffer. */
export class BodyTooLargeError extends Error {
  readonly code = 'SIM.BODY_TOO_LARGE';
  constructor() {
    super(`request body exceeds ${MAX_BODY_BYTES} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Buffers the request body as UTF-8; an oversized body is drained and then rejected. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new BodyTooLargeError());
      else resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

export function sendJsonText(res: ServerResponse, status: number, json: string, extraHeaders?: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...extraHeaders });
  res.end(json);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders?: Record<string, string>): void {
  sendJsonText(res, status, JSON.stringify(body), extraHeaders);
}

/** Waits `ms`, or less if the client goes away; resolves whether the response can still be written. */
export function sleepWhileOpen(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

/** Writes and, once the bytes are handed to the kernel, kills the connection mid-response. */
export function writeThenDestroy(res: ServerResponse, data: string): void {
  const destroy = () => res.socket?.destroy();
  if (data.length === 0) {
    res.flushHeaders();
    setImmediate(destroy);
  } else {
    res.write(data, destroy);
  }
}

/** Drops the connection without any response bytes: the client sees a reset / socket hang up. */
export function destroyConnection(req: IncomingMessage, res: ServerResponse): void {
  res.socket?.destroy();
  req.socket.destroy();
}
