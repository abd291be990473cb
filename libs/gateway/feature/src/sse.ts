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
