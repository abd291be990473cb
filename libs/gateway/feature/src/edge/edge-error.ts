/** The one error shape of every answer the gateway gives (OpenAI's). */
export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** An answer's status and body, before it is sent. */
export interface EdgeAnswer {
  status: number;
  body: OpenAiErrorBody;
  /** A 405's `Allow` header. */
  allow?: string;
}

/** At most this many characters of client input appear in an answer, and no message is longer than `MAX_MESSAGE_CHARS`. */
export const EXCERPT_CHARS = 64;
export const MAX_MESSAGE_CHARS = 1000;

export function errorBody(message: string, code: string | null, param: string | null = null, type = 'invalid_request_error'): OpenAiErrorBody {
  const capped = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…` : message;
  return { error: { message: capped, type, code, param } };
}

export function answer(status: number, code: string, message: string, param: string | null = null, type = 'invalid_request_error'): EdgeAnswer {
  return { status, body: errorBody(message, code, param, type) };
}

/** A short, printable excerpt of client input for a message: control characters escaped, cut at `EXCERPT_CHARS`. */
export function excerpt(input: string): string {
  const printable = input.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return printable.length > EXCERPT_CHARS ? `${printable.slice(0, EXCERPT_CHARS - 1)}…` : printable;
}
