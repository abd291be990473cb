/** `['providers', 2, 'models', 0, 'id']` -> `providers[2].models[0].id`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  const text = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
  return text === '' ? '(root)' : text;
}
