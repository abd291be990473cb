/** An unnamed server-sent event carrying one JSON document (OpenAI, Gemini). */
export function sseData(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** A named server-sent event (Anthropic). */
export function sseEvent(event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** Cuts a JSON document roughly in half, so it can no longer be parsed. */
export function truncateJson(json: string): string {
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}

/** The same SSE frame with its JSON payload cut in half: still a well-formed event, invalid data. */
export function truncateFrame(frame: string): string {
  const dataAt = frame.indexOf('data: ') + 'data: '.length;
  const json = frame.slice(dataAt, frame.length - 2);
  return `${frame.slice(0, dataAt)}${truncateJson(json)}\n\n`;
}
