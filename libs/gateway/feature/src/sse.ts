import type { FastifyReply } from 'fastify';
import { processSecrets } from '@cp/shared/contracts';
import { CallAbort, type CancelSignal } from '@cp/router/data-plane';

/** Server-sent events as OpenAI streams them: `data: <json>` per chunk, then `data: [DONE]`. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  // Proxies such as nginx must not buffer a stream.
  'x-accel-buffering': 'no',
} as const;

export const SSE_DONE = 'data: [DONE]\n\n';

/** One event carrying `json` (already serialized; chunks never contain a raw newline). */
export function sseData(json: string): string {
  return `data: ${json}\n\n`;
}

/**
 * One SSE response. Nothing is written before the first chunk, so a request that fails before it
 * is still answered as a plain JSON error by the error filter. The chunks written in one tick (one
 * read from the provider) go to the socket in one corked write; once the provider's stream is
 * complete (`ending`), its last chunks wait for `done()` instead, at most until the loop's next check
 * phase, so they leave in the same write as `[DONE]` and the end of the response (one loopback
 * write less per stream). `signal` aborts when the client goes away before the response is
 * finished; it is a `CallAbort`, a fraction of an `AbortController`'s cost.
 */
export class SseResponse {
  private opened = false;
  private corked = false;
  private endingSoon = false;
  private gone = false;
  private readonly controller = new CallAbort();
  /** When the first chunk went out, in ms since `startedAt`. */
  firstChunkMs: number | undefined;

  constructor(
    private readonly reply: FastifyReply,
    private readonly requestId: string,
    private readonly startedAt: number,
  ) {
    reply.raw.once('close', () => {
      if (reply.raw.writableFinished) return;
      this.gone = true;
      this.controller.abort();
    });
  }

  get signal(): CancelSignal {
    return this.controller;
  }

  /** Headers (and so the 200) are committed: a later failure can only end the stream with an error event. */
  get headersSent(): boolean {
    return this.opened;
  }

  get clientGone(): boolean {
    return this.gone;
  }

  write(json: string): void {
    if (!this.opened) this.open();
    if (this.gone) return;
    const raw = this.reply.raw;
    if (!this.corked) {
      this.corked = true;
      raw.cork();
      process.nextTick(this.uncorkSoon);
    }
    raw.write(sseData(json));
  }

  /** The provider's stream is complete: the chunks still corked are held for `done()`'s write. */
  ending(): void {
    this.endingSoon = true;
  }

  /** A complete stream: `[DONE]` (after opening, for a stream that had no chunk at all). */
  done(): void {
    if (!this.opened) this.open();
    this.finish(SSE_DONE);
  }

  /** A stream cut after its first chunk: an error event in the OpenAI error shape, never `[DONE]`. */
  fail(error: { message: string; type: string; code: string }): void {
    this.finish(sseData(JSON.stringify({ error: { message: processSecrets.redact(error.message), type: error.type, code: error.code, param: null } })));
  }

  /** The last write: `end()` uncorks the socket fully, so a pending uncork has nothing left to do. */
  private finish(last: string): void {
    this.corked = false;
    if (!this.gone) this.reply.raw.end(last);
  }

  private readonly uncorkSoon = (): void => {
    if (this.endingSoon) setImmediate(this.uncork);
    else this.uncork();
  };

  private readonly uncork = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.reply.raw.uncork();
  };

  private open(): void {
    this.opened = true;
    this.firstChunkMs = performance.now() - this.startedAt;
    this.reply.hijack();
    this.reply.raw.writeHead(200, { ...SSE_HEADERS, 'x-request-id': this.requestId });
  }
}
