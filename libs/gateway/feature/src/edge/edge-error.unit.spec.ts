import { errorBody, excerpt, MAX_MESSAGE_CHARS } from './edge-error';

describe('excerpt', () => {
  it('given short printable input, when excerpted, then it is unchanged', () => {
    expect(excerpt('gpt-4o')).toBe('gpt-4o');
  });

  it('given control characters and lone surrogates, when excerpted, then they are escaped', () => {
    expect(excerpt('a\u0000b\nc\ud800')).toBe('a\\u0000b\\u000ac\\ud800');
  });

  it('given 10 000 characters, when excerpted, then 64 come back, the last an ellipsis', () => {
    const e = excerpt('x'.repeat(10_000));
    expect(e).toHaveLength(64);
    expect(e.endsWith('…')).toBe(true);
  });
});

describe('errorBody', () => {
  it('given a message over the cap, when shaped, then it is cut to the cap and the shape has exactly four fields', () => {
    const body = errorBody('m'.repeat(5000), 'some_code', 'model');
    expect(body.error.message).toHaveLength(MAX_MESSAGE_CHARS);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error).toMatchObject({ code: 'some_code', param: 'model', type: 'invalid_request_error' });
  });
});
