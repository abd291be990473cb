/**
 * How deep a parsed JSON value nests, without recursion (a client controls the input, so nothing
 * may recurse on it without a bound), stopping as soon as it passes `limit`. Strings and numbers
 * are leaves, so a large body of few levels (a base64 image) costs one visit per object or array.
 */
export function exceedsDepth(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return false;
}
