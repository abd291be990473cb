import { AuditConfigSchema } from '@cp/auditor/feature';
import { heapGrowingPercent } from '@cp/shared/config';

const percent = (value?: string) => heapGrowingPercent('CP_AUDIT_HEAP_GROWING_PERCENT', 30, value === undefined ? {} : { CP_AUDIT_HEAP_GROWING_PERCENT: value });

describe('the auditor heap growing percent', () => {
  it('given no setting, then it is the schema’s default', () => {
    expect(percent()).toBe(AuditConfigSchema.parse({}).CP_AUDIT_HEAP_GROWING_PERCENT);
  });

  it('given a value, then it is applied only where the schema accepts it (0 = V8’s own factor, nothing set)', () => {
    expect(percent('45')).toBe(45);
    expect(AuditConfigSchema.parse({ CP_AUDIT_HEAP_GROWING_PERCENT: '45' }).CP_AUDIT_HEAP_GROWING_PERCENT).toBe(45);
    expect(percent('0')).toBeUndefined();
    expect(AuditConfigSchema.parse({ CP_AUDIT_HEAP_GROWING_PERCENT: '0' }).CP_AUDIT_HEAP_GROWING_PERCENT).toBe(0);
    for (const bad of ['301', '-5', '12.5', 'lots']) {
      expect(percent(bad)).toBeUndefined();
      expect(AuditConfigSchema.safeParse({ CP_AUDIT_HEAP_GROWING_PERCENT: bad }).success).toBe(false);
    }
  });
});
