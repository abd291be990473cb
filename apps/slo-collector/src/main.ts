import { bootstrapNestContext, runService, ServiceSkeletonModule } from '@cp/shared/runtime';

/** slo-collector: joins the bus and answers health; its capability is built in its own issue. */
void runService('slo-collector', (rt) => bootstrapNestContext(rt, ServiceSkeletonModule.register(rt)));
