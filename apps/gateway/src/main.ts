import { runService } from '@cp/shared/runtime';
import { bootstrapGateway } from '@cp/gateway/feature';

/** The gateway: the OpenAI-compatible HTTP edge of the control plane. */
void runService('gateway', (rt) => bootstrapGateway(rt));
