import { bootstrapNestContext, runService } from '@cp/shared/runtime';
import { loadServingPlane } from '@cp/router/data-plane';
import { RouterModule } from '@cp/router/feature';

/** The router: the routing control plane (provider registry, model catalog, compatibility matrix, probes). */
void runService('router', async (rt) => bootstrapNestContext(rt, RouterModule.register(rt, await loadServingPlane(rt))));
