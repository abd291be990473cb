/**
 * How deep a parsed JSON value nests, without recursion (a client controls the input, so nothing
 * may recurse on it without a bound), stopping as soon as it passes `limit`. Strings and numbers
 * are leaves, so a large body of few levels (a base64 image) costs one visit per object or array.
 */
export function exceedsDepth(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  // Two parallel stacks and index/key loops: no tuple or `Object.values` array per node (a request
  // with ten tool schemas has about 150 objects, visited on every request).
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (c !== null && typeof c === 'object') {
          values.push(c);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    const record = v as Record<string, unknown>;
    for (const key in record) {
      const c = record[key];
      if (c !== null && typeof c === 'object') {
        values.push(c);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
