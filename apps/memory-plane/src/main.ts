import { bootstrapNestContext, runService, ServiceSkeletonModule } from '@cp/shared/runtime';

/** memory-plane: joins the bus and answers health; its capability is built in its own issue. */
void runService('memory-plane', (rt) => bootstrapNestContext(rt, ServiceSkeletonModule.register(rt)));
