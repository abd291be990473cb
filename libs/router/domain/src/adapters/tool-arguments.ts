/**
 * Tool call arguments as an object, for wires that carry them parsed (Anthropic `input`, Gemini
 * `args`). Empty text is `{}`; text that is not a JSON object is kept under `_raw` rather than lost,
 * so the model can see what it sent.
 */
export function parseToolArguments(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (isPlainObject(value)) return value;
  } catch {
    // not JSON: fall through and keep the text
  }
  return { _raw: text };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
