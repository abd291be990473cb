import './heap-growing';
import { runService } from '@cp/shared/runtime';
import { bootstrapGateway } from '@cp/gateway/feature';

/**
 * The gateway: the OpenAI-compatible HTTP edge and the data plane (the completion pipeline runs here).
 * Its request path passes the trace context explicitly (no AsyncLocalStorage promise hooks on the hot path).
 */
void runService('gateway', (rt) => bootstrapGateway(rt), { contextPropagation: 'explicit' });
