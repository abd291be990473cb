import type { Duplex } from 'node:stream';
import { newId } from '@cp/shared/contracts';
import { errorBody } from './edge-error';
import { LINGER_MS } from './send-answer';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * What Node's HTTP parser refuses before any handler runs (headers too large, a malformed request
 * line, a request not received within `requestTimeout`) is answered in the OpenAI error shape too,
 * with a request id of its own and nothing of the input; a socket that is already gone is just closed.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'request headers (with the URL) are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request was not received in time']
        : [400, 'malformed_request', 'malformed HTTP request'];
  const body = JSON.stringify(errorBody(message, code));
  // The answer to a HEAD has no body (a client would read one as the next answer); the bytes being parsed tell the method, when they hold the request line.
  const head = (err as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${newId()}\r\nconnection: close\r\n\r\n${head ? '' : body}`);
  // The client may still be writing (headers of 20 KB): read and drop that for a while, so it gets
  // the answer instead of a reset (see `linger` in send-answer.ts), then close.
  socket.on('data', () => undefined);
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
