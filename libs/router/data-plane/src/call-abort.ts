import { EventEmitter } from 'node:events';

/**
 * What a provider call watches to stop early (the client went away): an `AbortSignal`, or a
 * `CallAbort`, which costs a fraction of an `AbortController` (below).
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * How one provider call is cut short (its total timeout, a reply over the limit, the client gone):
 * what undici takes as a request's `signal` besides an `AbortSignal`, an emitter with `aborted`,
 * `reason` and an `abort` event. An `AbortController` and its signal are an `EventTarget` of about
 * 1 KB that lives as long as the call: at saturation most of them outlive a young-generation GC and
 * are promoted, so every call paid for them in the old generation (the gateway's largest promoted
 * object after its spans). `abort()` gives the same reason an `AbortController` gives.
 */
export class CallAbort extends EventEmitter implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;

  /** The `AbortSignal` way of listening, so a `CallAbort` serves where a `CancelSignal` is asked for. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void {
    if (options?.once) this.once(type, listener);
    else this.on(type, listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    this.off(type, listener);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    this.emit('abort');
  }
}
