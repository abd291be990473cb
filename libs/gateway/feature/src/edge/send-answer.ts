import type { FastifyReply } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { EdgeAnswer } from './edge-error';

/** How long, and for how many bytes, the rest of a refused body is read (and dropped) after its answer. */
export const LINGER_MS = 2000;

/**
 * Sends an error answer: a 401 names the scheme (RFC 6750), a 405 what is allowed. A request whose
 * body was not read to its end (refused before parsing, or cut off at the limit) has its answer
 * sent at once; then the rest of that body is read and dropped (`linger`) so the client, still
 * writing, gets the answer instead of a reset.
 */
export function send(reply: FastifyReply, a: EdgeAnswer, lingerBytes: number): void {
  if (a.status === 401) void reply.header('www-authenticate', 'Bearer');
  if (a.allow) void reply.header('allow', a.allow);
  const raw = reply.request.raw;
  if (hasUnreadBody(raw)) {
    // Fastify asks for `connection: close` after a body error; Node would then close at once (a reset while the client writes).
    void reply.removeHeader('connection');
    reply.raw.once('finish', () => linger(raw, lingerBytes));
  }
  void reply.code(a.status).header('content-type', 'application/json').send(a.body);
}

function hasUnreadBody(raw: IncomingMessage): boolean {
  if (raw.complete) return false;
  return raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length'] ?? 0) > 0;
}

/**
 * Lingering close, as nginx does it: closing a socket the client is still writing to resets the
 * connection, and a reset can drop the answer before the client reads it. So what still arrives is
 * read and dropped (never buffered or parsed) for at most `LINGER_MS` and `maxBytes`; a body that
 * ends within that keeps its connection, one that does not has it closed.
 */
function linger(raw: IncomingMessage, maxBytes: number): void {
  if (raw.complete) return;
  let bytes = 0;
  // Only a body still arriving ends its connection: once it is complete the socket may already serve the next request.
  const close = () => {
    clearTimeout(timer);
    if (!raw.complete) raw.socket?.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  raw.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > maxBytes) close();
  });
  raw.once('end', () => clearTimeout(timer));
  raw.resume();
}
