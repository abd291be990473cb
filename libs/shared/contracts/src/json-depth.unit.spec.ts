import { exceedsDepth } from './json-depth';

const nested = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels)) as unknown;

describe('exceedsDepth', () => {
  it('given values within the limit, then false', () => {
    expect(exceedsDepth({ model: 'x', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }, 5)).toBe(false);
    expect(exceedsDepth(nested(64), 64)).toBe(false);
    expect(exceedsDepth('plain', 1)).toBe(false);
  });

  it('given one level too many, then true', () => {
    expect(exceedsDepth(nested(65), 64)).toBe(true);
  });

  it('given 200 000 levels (far past any call stack), then it answers without overflowing', () => {
    expect(exceedsDepth(nested(200_000), 64)).toBe(true);
  });
});
