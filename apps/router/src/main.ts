import { bootstrapNestContext, runService } from '@cp/shared/runtime';
import { RouterModule } from '@cp/router/feature';

/** The router: the routing control plane (provider registry, model catalog, compatibility matrix, probes). */
void runService('router', (rt) => bootstrapNestContext(rt, RouterModule.register(rt)));
