/**
 * Parses an HTTP `Retry-After` header: delay-seconds (`"2"`, `"1.5"`) or an HTTP date. Returns the
 * wait in milliseconds from `nowMs` (never negative), or undefined when the header is absent or
 * unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // Only accept text that looks like a date: Date.parse is lenient enough to read "5 apples".
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
