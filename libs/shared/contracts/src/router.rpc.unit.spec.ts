import { RouterComplete, RouterStream } from './router.rpc';

const request = {
  requestId: 'r1',
  deadlineAt: 1_800_000_000_000,
  request: {
    model: 'auto',
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    stream: false,
    temperature: 0.2,
  },
};

const reply = {
  ok: true,
  response: { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
  provider: 'openai',
  model: 'gpt-4o',
  trail: { route: { verdict: 'x' }, attempts: [{ provider: 'openai', model: 'gpt-4o', outcome: 'ok', latencyMs: 1 }], failover: false, breakers: { 'openai/gpt-4o': 'closed' } },
};

describe('hot-path (trusted) schemas of the router RPCs', () => {
  it.each([
    ['complete request', RouterComplete.trusted!.request, RouterComplete.request, request],
    ['complete reply', RouterComplete.trusted!.reply, RouterComplete.reply, reply],
    ['complete error reply', RouterComplete.trusted!.reply, RouterComplete.reply, { ok: false, error: { status: 503, code: 'X', type: 'y', message: 'z' }, trail: { attempts: [], failover: false } }],
    ['stream request', RouterStream.trusted!.request, RouterStream.request, request],
  ])('given a valid %s, then the trusted schema outputs exactly what the full one does', (_name, trusted, full, value) => {
    expect(trusted.parse(value)).toEqual(full.parse(value));
  });

  it.each([
    ['no request id', { ...request, requestId: undefined }],
    ['no messages', { ...request, request: { ...request.request, messages: [] } }],
    ['not an object', 'hello'],
  ])('given a request with %s, then the trusted schema still rejects it', (_name, value) => {
    expect(RouterComplete.trusted!.request.safeParse(value).success).toBe(false);
  });

  it('given a reply without a response, then the trusted schema rejects it', () => {
    expect(RouterComplete.trusted!.reply.safeParse({ ...reply, response: undefined }).success).toBe(false);
  });
});
