import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { BusRequestError, closedError, tooLargeError } from './errors';

interface Waiting {
  subject: string;
  resolve(msg: Msg): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Request/reply over one wildcard inbox subscription, as the NATS client's own mux does, but
 * without what that costs per request: a random token, a timer promise raced against the reply,
 * and an `Error` with a stack trace built to cancel each request after it has already resolved
 * (5 % of the gateway's CPU at saturation). Used by `NatsBus.request` and for JetStream publishes.
 * Rejections are `BusRequestError`s: `BUS.TIMEOUT`, `BUS.NO_RESPONDERS` (the server's 503 status
 * when nobody subscribes) and `BUS.CLOSED`.
 */
export class ReplyMux {
  private readonly prefix = `${createInbox()}.`;
  private readonly waiting = new Map<string, Waiting>();
  private readonly sub: Subscription;
  private next = 0;
  private closed = false;

  constructor(private readonly nc: NatsConnection) {
    this.sub = nc.subscribe(`${this.prefix}*`, { callback: (err, msg) => (err ? this.failAll(err) : this.onReply(msg)) });
  }

  /** Publishes `data` with a private reply subject and resolves with the first reply. */
  request(subject: string, data: Uint8Array, timeoutMs: number, headers?: MsgHdrs): Promise<Msg> {
    if (this.closed) return Promise.reject(new BusRequestError('BUS.CLOSED', subject, 'connection closed'));
    const tooLarge = tooLargeError(subject, data.length, this.nc.info?.max_payload);
    if (tooLarge) return Promise.reject(tooLarge);
    const token = (this.next++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new BusRequestError('BUS.TIMEOUT', subject, `no reply on ${subject} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(token, { subject, resolve, reject, timer });
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers });
      } catch (err) {
        this.settle(token)?.reject(closedError(subject, err));
      }
    });
  }

  /** Rejects what still waits and every later request with `BUS.CLOSED`. */
  close(): void {
    this.closed = true;
    this.failAll(new Error('closed'));
    if (!this.sub.isClosed()) this.sub.unsubscribe();
  }

  private onReply(msg: Msg): void {
    const waiting = this.settle(msg.subject.slice(this.prefix.length));
    if (!waiting) return;
    if (msg.headers?.hasError && msg.headers.code === 503 && msg.data.length === 0) waiting.reject(new BusRequestError('BUS.NO_RESPONDERS', waiting.subject, `no service is listening on ${waiting.subject}`));
    else waiting.resolve(msg);
  }

  private settle(token: string): Waiting | undefined {
    const waiting = this.waiting.get(token);
    if (!waiting) return undefined;
    this.waiting.delete(token);
    clearTimeout(waiting.timer);
    return waiting;
  }

  private failAll(err: unknown): void {
    for (const token of [...this.waiting.keys()]) {
      const waiting = this.settle(token);
      waiting?.reject(closedError(waiting.subject, err));
    }
  }
}
