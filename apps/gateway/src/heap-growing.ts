import { applyHeapGrowingPercent } from '@cp/shared/config';

// Imported first by main, before the other modules load (see apps/auditor/src/heap-growing.ts). Off
// by default for the gateway: the request path pays for the extra full GCs (docs/performance.md, "The
// gateway's heap growing").
applyHeapGrowingPercent('CP_GATEWAY_HEAP_GROWING_PERCENT', 0);
