import { providerErrorDetail } from './provider-error-detail';

describe('providerErrorDetail', () => {
  it.each([
    ['OpenAI', { error: { message: "Invalid 'messages[2].tool_call_id'", type: 'invalid_request_error', code: null } }, "Invalid 'messages[2].tool_call_id'"],
    ['Anthropic', { type: 'error', error: { type: 'invalid_request_error', message: 'messages.1: tool_use ids must be unique' } }, 'messages.1: tool_use ids must be unique'],
    ['Gemini', { error: { code: 400, message: 'Function call is missing a thought_signature', status: 'INVALID_ARGUMENT' } }, 'Function call is missing a thought_signature'],
    ['a bare string error', { error: 'model not found' }, 'model not found'],
  ])('Given an %s error body, When read, Then its message comes back', (_wire, body, expected) => {
    expect(providerErrorDetail(JSON.stringify(body))).toBe(expected);
  });

  it('Given a body that is not an error object, When read, Then nothing comes back', () => {
    expect(providerErrorDetail('<html>502 Bad Gateway</html>')).toBeUndefined();
    expect(providerErrorDetail(JSON.stringify({ result: 'ok' }))).toBeUndefined();
    expect(providerErrorDetail(JSON.stringify({ error: { message: '   ' } }))).toBeUndefined();
    expect(providerErrorDetail('')).toBeUndefined();
  });

  it('Given a message echoing the key, When read, Then the key is replaced', () => {
    const key = 'sk-live-0123456789abcdef';
    expect(providerErrorDetail(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}. Check ${key}` } }), [key, undefined])).toBe('Incorrect API key provided: [redacted]. Check [redacted]');
  });

  it('Given a long multi-line message, When read, Then whitespace collapses and it is cut to 300 characters', () => {
    const detail = providerErrorDetail(JSON.stringify({ error: { message: `line one\n\n  line two ${'x'.repeat(500)}` } }));
    expect(detail?.startsWith('line one line two x')).toBe(true);
    expect(detail).toHaveLength(300);
    expect(detail?.endsWith('…')).toBe(true);
  });
});
