/**
 * RFC 8785 canonical JSON: the same text, for every value, as the `canonicalize` package (2.1.0) that
 * the hash chain was defined with (the unit test compares them on 5,000 random values). That package
 * joins each level with `reduce` over template strings and sorts every object's keys with
 * `Array#sort`, which copies them into work arrays: under the gateway bench's load it was the auditor's
 * largest source of garbage (about 36 KiB per request, 0.43 of all it allocated). This one appends
 * token by token to one string and sorts small key lists in place: about 15 KiB per request
 * (docs/performance.md, "The auditor's peak memory"). Returns undefined where the package does (a
 * top-level value JSON cannot hold).
 */
export function canonicalJson(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return primitive(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (toJSON instanceof Function) return canonicalJson(toJSON.call(value));
  return write(value, '');
}

function primitive(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new Error('NaN is not allowed');
    if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
  }
  return JSON.stringify(value);
}

/** Appends `value` (not null, typeof 'object') to `out`. */
function write(value: object, out: string): string {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (toJSON instanceof Function) return out + value_(toJSON.call(value));
  if (Array.isArray(value)) {
    out += '[';
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue; // a hole: the package's reduce skips it (JSON never has one)
      if (i > 0) out += ',';
      const v: unknown = value[i];
      out = v === undefined || typeof v === 'symbol' ? out + 'null' : v === null || typeof v !== 'object' ? out + primitive(v) : write(v, out);
    }
    return out + ']';
  }
  const keys = sortedKeys(value);
  const record = value as Record<string, unknown>;
  out += '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = record[k];
    if (v === undefined || typeof v === 'symbol') continue;
    out += first ? JSON.stringify(k) + ':' : ',' + JSON.stringify(k) + ':';
    first = false;
    out = v === null || typeof v !== 'object' ? out + primitive(v) : write(v, out);
  }
  return out + '}';
}

/** The canonical text of a value a `toJSON` returned (any kind of value). */
function value_(v: unknown): string {
  return v === null || typeof v !== 'object' ? `${primitive(v)}` : write(v, '');
}

/**
 * Own enumerable keys in UTF-16 code unit order (what `Array#sort` without a comparator gives, and
 * RFC 8785 asks for). Small lists, the usual case, are sorted in place by insertion: `sort` copies
 * the array into work arrays on every call.
 */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}
