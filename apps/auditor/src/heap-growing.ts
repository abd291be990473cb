import { applyHeapGrowingPercent } from '@cp/shared/config';

/** The auditor's default: what it holds lives for tens of milliseconds, so its old generation grows mostly with garbage. */
export const AUDIT_HEAP_GROWING_PERCENT = 30;

// Imported first by main, before the other modules load, so the first full GC already sets its limit
// with it: V8 reads the flag whenever a full GC sets the next limit, and a limit set at start-up with
// its own factor (up to 4x) would hold until the first full GC under load (docs/performance.md, "The
// auditor's peak memory").
applyHeapGrowingPercent('CP_AUDIT_HEAP_GROWING_PERCENT', AUDIT_HEAP_GROWING_PERCENT);
