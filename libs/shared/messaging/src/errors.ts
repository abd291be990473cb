/** A request/reply hop that did not get an answer in time, or found nobody listening. */
export class BusRequestError extends Error {
  constructor(
    readonly code: 'BUS.TIMEOUT' | 'BUS.NO_RESPONDERS' | 'BUS.BAD_REPLY' | 'BUS.CLOSED',
    readonly subject: string,
    message: string,
  ) {
    super(message);
    this.name = 'BusRequestError';
  }
}
