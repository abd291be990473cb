/**
 * JSON texts remembered for frozen objects shared by many requests, so that serialising a request
 * does not walk them again: the tool definitions an agent sends unchanged on every turn (the
 * gateway's tools memo) and the local tools' definitions. Only deep-frozen objects are accepted,
 * so a remembered text can never go stale; a request whose tools are not all remembered is
 * serialised as before.
 */
const texts = new WeakMap<object, string>();

/** Freezes a parsed JSON value and everything in it, without recursion (the depth was bounded before). */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue;
    Object.freeze(v);
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) stack.push(v[i]);
    else for (const key in v) stack.push((v as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Remembers `JSON.stringify(value)` for a deep-frozen object and answers it.
 * @throws Error when the object is not frozen (its text could go stale).
 */
export function rememberJsonText(value: object): string {
  if (!Object.isFrozen(value)) throw new Error('only a frozen object may have its JSON text remembered');
  const known = texts.get(value);
  if (known !== undefined) return known;
  const text = JSON.stringify(value);
  texts.set(value, text);
  return text;
}

/** The JSON text of an array whose every element has a remembered text; undefined otherwise. */
export function knownArrayText(items: readonly unknown[]): string | undefined {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const text = item !== null && typeof item === 'object' ? texts.get(item) : undefined;
    if (text === undefined) return undefined;
    out += i === 0 ? text : ',' + text;
  }
  return out + ']';
}

/**
 * `JSON.stringify(body)` of a request body, except that its `tools`, when every one of them has a
 * remembered text, are spliced in as text (last key) instead of being serialised again. The result
 * parses to the same value.
 */
export function stringifyRequestBody(body: unknown): string {
  if (body === null || typeof body !== 'object') return JSON.stringify(body);
  const tools = (body as { tools?: unknown }).tools;
  const toolsText = Array.isArray(tools) && tools.length > 0 ? knownArrayText(tools) : undefined;
  if (toolsText === undefined) return JSON.stringify(body);
  const { tools: _tools, ...rest } = body as Record<string, unknown>;
  const head = JSON.stringify(rest);
  return head === '{}' ? `{"tools":${toolsText}}` : `${head.slice(0, -1)},"tools":${toolsText}}`;
}
