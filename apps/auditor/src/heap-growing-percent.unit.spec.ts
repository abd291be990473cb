import { applyHeapGrowingPercent } from '@cp/shared/config';
import { AUDIT_HEAP_GROWING_PERCENT } from './heap-growing';

const percent = (value?: string) => applyHeapGrowingPercent('CP_AUDIT_HEAP_GROWING_PERCENT', AUDIT_HEAP_GROWING_PERCENT, value === undefined ? {} : { CP_AUDIT_HEAP_GROWING_PERCENT: value });

describe('the auditor heap growing percent', () => {
  it('given no setting, then 30', () => {
    expect(percent()).toBe(30);
  });

  it('given a value, then it is applied where accepted (0 = V8’s own factor, nothing set) and refused otherwise', () => {
    expect(percent('45')).toBe(45);
    expect(percent('0')).toBe(0);
    for (const bad of ['301', '-5', '12.5', 'lots']) expect(() => percent(bad)).toThrow(/CP_AUDIT_HEAP_GROWING_PERCENT/);
  });
});
