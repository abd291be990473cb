import { getHeapStatistics } from 'node:v8';
import { ConfigError } from './load-config';
import { applyHeapGrowingPercent } from './heap-growing';

describe('applyHeapGrowingPercent: a service setting as V8 --heap-growing-percent', () => {
  it('given no setting, then the service default; 0 means V8 own factor (nothing set)', () => {
    expect(applyHeapGrowingPercent('X_PERCENT', 0, {})).toBe(0);
    expect(applyHeapGrowingPercent('X_PERCENT', 0, { X_PERCENT: '0' })).toBe(0);
  });

  it('given a value in range, then that value is set and the process keeps running', () => {
    expect(applyHeapGrowingPercent('X_PERCENT', 0, { X_PERCENT: '300' })).toBe(300);
    expect(applyHeapGrowingPercent('X_PERCENT', 0, { X_PERCENT: '50' })).toBe(50);
    expect(getHeapStatistics().used_heap_size).toBeGreaterThan(0);
  });

  it.each(['301', '-5', '12.5', 'lots'])('given %j, then it is refused as a bad setting, naming the variable', (bad) => {
    expect(() => applyHeapGrowingPercent('X_PERCENT', 30, { X_PERCENT: bad })).toThrow(ConfigError);
    expect(() => applyHeapGrowingPercent('X_PERCENT', 30, { X_PERCENT: bad })).toThrow(/X_PERCENT/);
  });
});
