import { EventEmitter } from 'node:events';

/**
 * How one provider call is cut short (its total timeout, a reply over the limit, the client gone):
 * what undici takes as a request's `signal` besides an `AbortSignal`, an emitter with `aborted`,
 * `reason` and an `abort` event. An `AbortController` and its signal are an `EventTarget` of about
 * 1 KB that lives as long as the call: at saturation most of them outlive a young-generation GC and
 * are promoted, so every call paid for them in the old generation (the gateway's largest promoted
 * object after its spans). `abort()` gives the same reason an `AbortController` gives.
 */
export class CallAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    this.emit('abort');
  }
}
