/**
 * `CP_AUDIT_HEAP_GROWING_PERCENT` (default 30; 0 = V8's own factor, nothing set) as the value for
 * V8's --heap-growing-percent, read straight from the environment because it must be set before the
 * modules load (./heap-growing). A value out of range is left alone here and refused at boot by
 * AuditConfigSchema, with the other settings.
 */
export function heapGrowingPercent(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const percent = Number(env.CP_AUDIT_HEAP_GROWING_PERCENT ?? 30);
  return Number.isInteger(percent) && percent > 0 && percent <= 300 ? percent : undefined;
}
