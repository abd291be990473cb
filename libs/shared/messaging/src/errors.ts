import { RequestError, TimeoutError } from '@nats-io/transport-node';
/** A request/reply hop that did not get an answer in time, found nobody listening, or could not be sent (closed, or larger than the server's max payload). */
export class BusRequestError extends Error {
  constructor(
    readonly code: 'BUS.TIMEOUT' | 'BUS.NO_RESPONDERS' | 'BUS.BAD_REPLY' | 'BUS.CLOSED' | 'BUS.TOO_LARGE',
    readonly subject: string,
    message: string,
  ) {
    super(message);
    this.name = 'BusRequestError';
  }
}

/** The message cannot be sent: larger than the connected server's max payload (`undefined` when it fits). */
export function tooLargeError(subject: string, bytes: number, maxPayload: number | undefined): BusRequestError | undefined {
  if (maxPayload === undefined || bytes <= maxPayload) return undefined;
  return new BusRequestError('BUS.TOO_LARGE', subject, `message of ${bytes} bytes exceeds the NATS server's max payload of ${maxPayload} bytes`);
}

/** A publish refused because the connection is closed or draining. */
export function closedError(subject: string, cause: unknown): BusRequestError {
  return new BusRequestError('BUS.CLOSED', subject, `connection closed (${cause instanceof Error ? cause.message : String(cause)})`);
}

/** What a failed request/reply hop was, as a typed error (timeout, no responders, closed), whatever the client threw. */
export function mapRequestError(err: unknown, subject: string, timeoutMs: number): Error {
  if (err instanceof BusRequestError) return err;
  if (err instanceof TimeoutError || (err instanceof Error && err.name === 'TimeoutError')) return new BusRequestError('BUS.TIMEOUT', subject, `no reply on ${subject} within ${timeoutMs} ms`);
  if (err instanceof RequestError && err.isNoResponders()) return new BusRequestError('BUS.NO_RESPONDERS', subject, `no service is listening on ${subject}`);
  if (err instanceof Error && /no responders/i.test(err.message)) return new BusRequestError('BUS.NO_RESPONDERS', subject, `no service is listening on ${subject}`);
  if (err instanceof Error && /closed|draining/i.test(err.message)) return new BusRequestError('BUS.CLOSED', subject, 'connection closed');
  return err instanceof Error ? err : new Error(String(err));
}
