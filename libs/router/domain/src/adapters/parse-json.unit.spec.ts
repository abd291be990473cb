import { z } from 'zod';
import { mayBeErrorPayload } from './parse-json';

describe('mayBeErrorPayload', () => {
  // The loosest error shape a stream translator parses after this test: an object whose `error` is an object.
  const ErrorShape = z.object({ error: z.object({}).loose() }).loose();
  const samples: unknown[] = [
    { error: { message: 'overloaded' } },
    { error: {} },
    { error: { code: 503, status: 'UNAVAILABLE' }, extra: 1 },
    { id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] },
    { error: 'a string' },
    { error: ['an', 'array'] },
    { error: null },
    { error: 42 },
    [{ error: {} }],
    null,
    'error',
    7,
    true,
  ];

  it('Given payloads of every kind, When tested, Then it says yes exactly where the error shape parses (so skipping the parse on a no changes nothing)', () => {
    for (const json of samples) expect({ json, may: mayBeErrorPayload(json) }).toEqual({ json, may: ErrorShape.safeParse(json).success });
  });

  it('Given an ordinary chunk, When tested, Then no', () => {
    expect(mayBeErrorPayload({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })).toBe(false);
  });
});
