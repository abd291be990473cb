import { bootstrapNestContext, runService } from '@cp/shared/runtime';
import { SloCollectorModule } from '@cp/slo-collector/feature';

/** slo-collector: SLOs, burn-rate alerts and heartbeats computed from the event stream (docs/slo.md). */
void runService('slo-collector', (rt) => bootstrapNestContext(rt, SloCollectorModule.register(rt)));
