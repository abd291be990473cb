import { bootstrapNestContext, runService } from '@cp/shared/runtime';
import { RouterModule } from '@cp/router/feature';

/** The router: the completion pipeline between the gateway and the providers. */
void runService('router', (rt) => bootstrapNestContext(rt, RouterModule.register(rt)));
