const MAX_DETAIL = 300;

/**
 * What a provider said about a failed request, for the client and the ledger: the message of the
 * error body that OpenAI (`{error:{message}}`), Anthropic (`{type:"error",error:{message}}`) and
 * Gemini (`{error:{message,status}}`) all send, whitespace collapsed and cut to 300 characters.
 * Every occurrence of a secret (the provider's key) is replaced, so an echo of it never leaves
 * the gateway. A body that is not such JSON gives nothing: raw pages are not passed on.
 */
export function providerErrorDetail(body: string, secrets: readonly (string | undefined)[] = []): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = isRecord(json) ? json.error : undefined;
  const message = isRecord(error) ? error.message : typeof error === 'string' ? error : undefined;
  if (typeof message !== 'string') return undefined;
  let text = message.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) if (secret && secret.length >= 8) text = text.split(secret).join('[redacted]');
  if (text === '') return undefined;
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
