import { AuditConfigSchema } from '@cp/auditor/feature';
import { heapGrowingPercent } from './heap-growing-percent';

describe('heapGrowingPercent', () => {
  it('given no setting, then it is the schema’s default', () => {
    expect(heapGrowingPercent({})).toBe(AuditConfigSchema.parse({}).CP_AUDIT_HEAP_GROWING_PERCENT);
  });

  it('given a value, then it is applied only where the schema accepts it (0 = V8’s own factor, nothing set)', () => {
    expect(heapGrowingPercent({ CP_AUDIT_HEAP_GROWING_PERCENT: '45' })).toBe(45);
    expect(AuditConfigSchema.parse({ CP_AUDIT_HEAP_GROWING_PERCENT: '45' }).CP_AUDIT_HEAP_GROWING_PERCENT).toBe(45);
    expect(heapGrowingPercent({ CP_AUDIT_HEAP_GROWING_PERCENT: '0' })).toBeUndefined();
    expect(AuditConfigSchema.parse({ CP_AUDIT_HEAP_GROWING_PERCENT: '0' }).CP_AUDIT_HEAP_GROWING_PERCENT).toBe(0);
    for (const bad of ['301', '-5', '12.5', 'lots']) {
      expect(heapGrowingPercent({ CP_AUDIT_HEAP_GROWING_PERCENT: bad })).toBeUndefined();
      expect(AuditConfigSchema.safeParse({ CP_AUDIT_HEAP_GROWING_PERCENT: bad }).success).toBe(false);
    }
  });
});
