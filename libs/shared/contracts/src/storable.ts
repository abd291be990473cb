/**
 * PostgreSQL's `jsonb` (and `text`) refuse U+0000 and unpaired UTF-16 surrogates, and one such
 * string in an event used to stop the ledger. Events are made storable where they are built: the
 * serialized envelope passes through `storableJson` before it is published.
 *
 * It works on JSON text as `JSON.stringify` writes it: both characters only ever appear there as
 * `\u` escapes (U+0000 always; a lone surrogate since ES2019's well-formed stringify), so text
 * without a `\u` is returned untouched after one `indexOf`, the common case. Each refused escape
 * becomes `\ufffd` (the replacement character); a valid surrogate pair written as escapes is kept.
 */
export function storableJson(json: string): string {
  if (json.indexOf('\\u') === -1) return json;
  return json.replace(ESCAPE, (escape: string, pair: string | undefined, refused: string | undefined) => (pair === undefined && refused !== undefined ? '\\ufffd' : escape));
}

// One escape at a time, so an escaped backslash (`\\`) is consumed whole and never read as the start
// of a `\u` escape: a surrogate pair (kept), a refused code unit (replaced), or any other escape (kept).
const ESCAPE = /\\(?:(ud[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2})|u(0000|d[89a-f][0-9a-f]{2})|u[0-9a-f]{4}|[^u])/gi;

/** The same rule for a value: returns it unchanged when nothing needed fixing, else a storable copy. */
export function storable<T>(value: T): T {
  const json = JSON.stringify(value);
  if (json === undefined) return value;
  const fixed = storableJson(json);
  return fixed === json ? value : (JSON.parse(fixed) as T);
}

/** True when a client-supplied identifier (model, provider, tool name) has no control character and no unpaired surrogate. */
export function isCleanIdentifier(value: string): boolean {
  return !UNCLEAN_IDENTIFIER.test(value);
}
const UNCLEAN_IDENTIFIER = /[\p{Cc}\p{Cs}]/u;
