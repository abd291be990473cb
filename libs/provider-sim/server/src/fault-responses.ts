import type { IncomingMessage, ServerResponse } from 'node:http';
import { truncateFrame, truncateJson, type FaultSpec, type WireFormat } from '@cp/provider-sim/domain';
import { destroyConnection, sendJson, sendJsonText, sleepWhileOpen, SSE_HEADERS, writeThenDestroy } from './http-io';

const WRONG_SCHEMA_JSON = '{"result":"ok"}';

const STATUS_MESSAGES: Record<number, string> = {
  400: 'simulated bad request',
  401: 'simulated invalid API key',
  402: 'simulated billing failure: quota exhausted',
  403: 'simulated permission denied',
  404: 'simulated model not found',
  500: 'simulated internal server error',
  502: 'simulated bad gateway',
  503: 'simulated service unavailable',
};

/**
 * The key a request carried, as each wire sends it (`authorization: Bearer`, `x-api-key`,
 * `x-goog-api-key`); `(no key)` when it had none. Only the `echo_key` fault reads it.
 */
export function receivedKey(req: IncomingMessage): string {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return header('authorization')?.replace(/^Bearer\s+/i, '') ?? header('x-api-key') ?? header('x-goog-api-key') ?? '(no key)';
}

/** What a careless provider writes when it quotes the key back, long enough to be cut. */
export function echoedKeyMessage(key: string): string {
  return `Incorrect API key provided: ${key}. You can find your API key in your account settings; the key sent was ${key}. ${'Details follow. '.repeat(40)}`;
}

function assertNever(value: never): never {
  throw new Error(`unhandled fault ${JSON.stringify(value)}`);
}

/**
 * Faults that decide the answer before the request is looked at. Returns true when the response is
 * taken care of (sent, dropped or deliberately left hanging); `latency` only delays.
 */
export async function answeredByFault(fault: FaultSpec, format: WireFormat, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  switch (fault.type) {
    case 'refuse': // on the shared port there is no listener to close, so a refusal looks like a reset
    case 'reset':
      destroyConnection(req, res);
      return true;
    case 'hang':
      return true;
    case 'status':
      sendJson(res, fault.status, format.errorBody(fault.status, fault.message ?? STATUS_MESSAGES[fault.status] ?? `simulated HTTP ${fault.status}`));
      return true;
    case 'rate_limit':
      sendJson(res, 429, format.errorBody(429, 'simulated rate limit exceeded, retry later'), { 'retry-after': String(fault.retryAfterSeconds) });
      return true;
    case 'latency':
      return !(await sleepWhileOpen(res, fault.ms));
    case 'echo_key':
      if (fault.mode !== 'status') return false;
      sendJson(res, fault.status, format.errorBody(fault.status, echoedKeyMessage(receivedKey(req))));
      return true;
    case 'slow_stream':
    case 'cut_stream':
    case 'malformed_json':
    case 'wrong_schema':
      return false;
    default:
      return assertNever(fault);
  }
}

/** Whether a fault damages the answer itself, in which case a scripted reply is not used up. */
export function damagesAnswer(fault: FaultSpec | null): boolean {
  return fault !== null && (fault.type === 'cut_stream' || fault.type === 'malformed_json' || fault.type === 'wrong_schema' || fault.type === 'echo_key');
}

/** A complete JSON answer, or its damaged variant; `key` is what the request carried (for `echo_key`). */
export function sendDocument(res: ServerResponse, json: string, fault: FaultSpec | null, format: WireFormat, key: string): void {
  switch (fault?.type) {
    case 'echo_key':
      // Not JSON, and the bytes quote the key: what a reader that copies raw bytes into errors would leak.
      if (fault.mode === 'malformed') return sendJsonText(res, 200, `{"error": "key ${key} is invalid", "key": "${key}`);
      return sendJson(res, 500, format.errorBody(500, echoedKeyMessage(key)));
    case 'malformed_json':
      return sendJsonText(res, 200, truncateJson(json));
    case 'wrong_schema':
      return sendJsonText(res, 200, WRONG_SCHEMA_JSON);
    case 'cut_stream':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      return writeThenDestroy(res, truncateJson(json));
    default:
      return sendJsonText(res, 200, json);
  }
}

async function writeSlowly(res: ServerResponse, frames: readonly string[], ms: number): Promise<void> {
  res.writeHead(200, SSE_HEADERS);
  for (let i = 0; i < frames.length; i += 1) {
    if (i > 0 && !(await sleepWhileOpen(res, ms))) return;
    res.write(frames[i]);
  }
  res.end();
}

/** A complete SSE answer, or its damaged or slowed variant; `key` is what the request carried (for `echo_key`). */
export async function sendFrames(res: ServerResponse, format: WireFormat, frames: readonly string[], fault: FaultSpec | null, key: string): Promise<void> {
  switch (fault?.type) {
    case 'echo_key': {
      const sent = frames.slice(0, Math.max(0, Math.min(fault.afterChunks, frames.length - format.terminalFrames))).join('');
      res.writeHead(200, SSE_HEADERS);
      if (fault.mode === 'malformed') return void res.end(`${sent}data: {"key": "${key}", "error": "key ${key} is\n\n`);
      return void res.end(`${sent}${format.errorEvent(echoedKeyMessage(key))}`);
    }
    case 'slow_stream':
      return writeSlowly(res, frames, fault.ms);
    case 'cut_stream': {
      const sent = Math.max(0, Math.min(fault.afterChunks, frames.length - format.terminalFrames));
      res.writeHead(200, SSE_HEADERS);
      return writeThenDestroy(res, frames.slice(0, sent).join(''));
    }
    case 'malformed_json':
      res.writeHead(200, SSE_HEADERS);
      res.end(truncateFrame(frames[0]));
      return;
    case 'wrong_schema':
      res.writeHead(200, SSE_HEADERS);
      res.end(format.wrongSchemaStream);
      return;
    default:
      res.writeHead(200, SSE_HEADERS);
      res.end(frames.length === 1 ? frames[0] : frames.join(''));
  }
}
