import { parseRetryAfter } from './retry-after';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('Given delay-seconds, When parsed, Then it returns milliseconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0.5 ', now)).toBe(500);
  });

  it('Given an HTTP date 3 s ahead, When parsed, Then it returns the remaining 3000 ms', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3000);
  });

  it('Given an HTTP date in the past, When parsed, Then it returns 0', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it.each([[undefined], [null], [''], ['soon'], ['-1'], ['5 apples']])('Given %p, When parsed, Then it returns undefined', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});
