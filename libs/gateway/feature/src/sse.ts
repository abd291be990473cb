import type { FastifyReply } from 'fastify';
import { processSecrets } from '@cp/shared/contracts';

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
 * read from the provider) go to the socket in one corked write. `signal` aborts when the client
 * goes away before the response is finished.
 */
export class SseResponse {
  private opened = false;
  private corked = false;
  private gone = false;
  private readonly controller = new AbortController();
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

  get signal(): AbortSignal {
    return this.controller.signal;
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
      process.nextTick(() => {
        this.corked = false;
        raw.uncork();
      });
    }
    raw.write(sseData(json));
  }

  /** A complete stream: `[DONE]` (after opening, for a stream that had no chunk at all). */
  done(): void {
    if (!this.opened) this.open();
    if (!this.gone) this.reply.raw.end(SSE_DONE);
  }

  /** A stream cut after its first chunk: an error event in the OpenAI error shape, never `[DONE]`. */
  fail(error: { message: string; type: string; code: string }): void {
    if (!this.gone) this.reply.raw.end(sseData(JSON.stringify({ error: { message: processSecrets.redact(error.message), type: error.type, code: error.code, param: null } })));
  }

  private open(): void {
    this.opened = true;
    this.firstChunkMs = performance.now() - this.startedAt;
    this.reply.hijack();
    this.reply.raw.writeHead(200, { ...SSE_HEADERS, 'x-request-id': this.requestId });
  }
}
