import { upstreamText } from '@cp/shared/contracts';

/**
 * What a provider said about a failed request, for the client and the ledger: the message of the
 * error body that OpenAI (`{error:{message}}`), Anthropic (`{type:"error",error:{message}}`) and
 * Gemini (`{error:{message,status}}`) all send, as `upstreamText` passes it on: whitespace
 * collapsed, every secret redacted (the process's configured keys of any length, key-shaped
 * strings, and the `secrets` given here), cut to `UPSTREAM_TEXT_MAX` (300) characters. A body that
 * is not such JSON gives nothing: raw pages are not passed on.
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
  let text = message;
  for (const secret of secrets) if (secret) text = text.split(secret).join('[redacted]');
  text = upstreamText(text);
  return text === '' ? undefined : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
