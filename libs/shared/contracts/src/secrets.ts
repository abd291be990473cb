/**
 * The one definition of what must never leave a process: the configured keys (provider keys, the
 * gateway's bearer keys), whatever their length, and strings shaped like the keys of the known
 * providers even when nobody configured them here (OpenAI `sk-…` and `sk-proj-…`, Anthropic
 * `sk-ant-…`, Google `AIza…`). Every sink runs through it: log lines (the logger's stream hook),
 * events and RPC replies (the bus, before publishing), spans (the exporter), and the gateway's
 * error answers (the error filter and the stream's error event). Text a provider wrote is also cut
 * to `UPSTREAM_TEXT_MAX` characters where it is read (`upstreamText`).
 *
 * Cost: text with none of the configured keys and neither `sk-` nor `AIza` in it is returned after
 * one `includes` per key and two for the shapes (1.4 µs for a 1.9 KB event with eight keys); only
 * text that passes that pre-check is matched with the regular expression.
 */

/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** The most characters of provider-written text (error messages, excerpts) that are passed on. */
export const UPSTREAM_TEXT_MAX = 300;

/** OpenAI (`sk-`, `sk-proj-`, `sk-svcacct-`), Anthropic (`sk-ant-api03-`) and Google (`AIza`) keys; not inside a longer word. */
const KEY_SHAPES = String.raw`(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,})`;
const SHAPE_HINTS = ['sk-', 'AIza'];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A set of secrets and the redaction they imply. One instance per process: `processSecrets`. */
export class SecretRedactor {
  /** Every form a secret may take in text we see: itself and, when JSON escapes it, its escaped form. */
  private needles: string[] = [];
  private pattern = new RegExp(KEY_SHAPES, 'g');

  /** Adds secrets (empty and missing values are ignored); any length counts, one character included. */
  add(values: Iterable<string | null | undefined>): void {
    const known = new Set(this.needles);
    for (const value of values) {
      if (typeof value !== 'string' || value === '') continue;
      known.add(value);
      known.add(JSON.stringify(value).slice(1, -1));
    }
    if (known.size === this.needles.length) return;
    // Longest first, so a key that contains another is replaced whole.
    this.needles = [...known].sort((a, b) => b.length - a.length);
    this.pattern = new RegExp([...this.needles.map(escapeRegExp), KEY_SHAPES].join('|'), 'g');
  }

  /** How many forms of configured secrets are known (for health details and tests). */
  get size(): number {
    return this.needles.length;
  }

  /** The cheap pre-check: false means the text certainly holds no secret. */
  mightContain(text: string): boolean {
    for (const needle of this.needles) if (text.includes(needle)) return true;
    for (const hint of SHAPE_HINTS) if (text.includes(hint)) return true;
    return false;
  }

  /** Plain text with every secret replaced by `[redacted]`. */
  redact(text: string): string {
    if (!this.mightContain(text)) return text;
    this.pattern.lastIndex = 0;
    return text.replace(this.pattern, REDACTED);
  }

  /**
   * A serialised JSON document (a log line, an event) with every secret in its strings and property
   * names replaced, still valid JSON: a short key such as `1234` is not replaced inside a number.
   * Text that is not JSON is redacted as plain text. A trailing newline is kept.
   */
  redactJson(text: string): string {
    if (!this.mightContain(text)) return text;
    this.pattern.lastIndex = 0;
    if (!this.pattern.test(text)) return text;
    let json: string;
    try {
      json = JSON.stringify(this.redactTree(JSON.parse(text)));
    } catch {
      // Not JSON, or nested too deep for JSON.stringify's recursion: plain text redaction.
      return this.redact(text);
    }
    return text.endsWith('\n') ? `${json}\n` : json;
  }

  /** A parsed JSON value with its strings redacted in place, walked without recursion. */
  private redactTree(root: unknown): unknown {
    if (typeof root === 'string') return this.redact(root);
    if (typeof root !== 'object' || root === null) return root;
    const pending: object[] = [root];
    while (pending.length > 0) {
      const node = pending.pop() as Record<string, unknown> | unknown[];
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) node[i] = this.redactLeaf(node[i], pending);
        continue;
      }
      for (const key of Object.keys(node)) {
        const value = this.redactLeaf(node[key], pending);
        const name = this.redact(key);
        if (name !== key) delete node[key];
        // defineProperty: a `__proto__` key from JSON.parse stays a plain property.
        Object.defineProperty(node, name, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    return root;
  }

  private redactLeaf(value: unknown, pending: object[]): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value === 'object' && value !== null) pending.push(value);
    return value;
  }
}

/** This process's secrets: filled at boot from the environment and whenever the registry is loaded. */
export const processSecrets = new SecretRedactor();

/**
 * Text a provider wrote (an error message, an excerpt of a body it sent), as it may be passed on:
 * whitespace collapsed, every secret redacted, then cut to `max` characters. Redaction comes first,
 * so a cut never leaves part of a key that would no longer be recognised.
 */
export function upstreamText(text: string, max = UPSTREAM_TEXT_MAX, secrets: SecretRedactor = processSecrets): string {
  // A prefix long enough for any key that straddles the cut: the work stays bounded for a huge body.
  const redacted = secrets.redact(text.slice(0, max + 1024).replace(/\s+/g, ' ').trim());
  return redacted.length > max ? `${redacted.slice(0, max - 1)}…` : redacted;
}
