import { HEAP_GROWING_PERCENT_MAX, heapGrowingPercent } from './heap-growing';

describe('heapGrowingPercent: a service setting as V8 --heap-growing-percent', () => {
  it('given no setting, then the service default; 0 means V8 own factor (nothing set)', () => {
    expect(heapGrowingPercent('X_PERCENT', 30, {})).toBe(30);
    expect(heapGrowingPercent('X_PERCENT', 0, {})).toBeUndefined();
  });

  it('given a value in range, then that value; out of range or not an integer, then nothing is set', () => {
    expect(heapGrowingPercent('X_PERCENT', 0, { X_PERCENT: '50' })).toBe(50);
    expect(heapGrowingPercent('X_PERCENT', 0, { X_PERCENT: String(HEAP_GROWING_PERCENT_MAX) })).toBe(HEAP_GROWING_PERCENT_MAX);
    for (const bad of [String(HEAP_GROWING_PERCENT_MAX + 1), '-5', '12.5', 'lots', '0']) expect(heapGrowingPercent('X_PERCENT', 30, { X_PERCENT: bad })).toBeUndefined();
  });
});
