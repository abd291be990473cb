/**
 * Why a write failed: the event itself (Postgres refused its data: SQLSTATE class 22 data exception,
 * 23 integrity, 54 program limit such as nesting too deep; or our own serialisation threw on it), or
 * the store (unreachable, shutting down, a missing table): only the first may ever park an event.
 * Retrying does not fix the event; parking does not fix the store.
 */
export function isEventFault(err: unknown): boolean {
  if (err instanceof RangeError || err instanceof TypeError) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
