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
