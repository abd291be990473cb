import { bootstrapNestContext, runService, ServiceSkeletonModule } from '@cp/shared/runtime';

/** tool-governor: joins the bus and answers health; its capability is built in its own issue. */
void runService('tool-governor', (rt) => bootstrapNestContext(rt, ServiceSkeletonModule.register(rt)));
