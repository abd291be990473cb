import { runService } from '@cp/shared/runtime';
import { bootstrapGateway } from '@cp/gateway/feature';

/** The gateway: the OpenAI-compatible HTTP edge and the data plane (the completion pipeline runs here). */
void runService('gateway', (rt) => bootstrapGateway(rt));
