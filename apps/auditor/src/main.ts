import './heap-growing';
import { bootstrapNestContext, runService } from '@cp/shared/runtime';
import { AuditorModule } from '@cp/auditor/feature';

/** The auditor: the single writer of the event store (see libs/auditor/feature). */
void runService('auditor', (rt) => bootstrapNestContext(rt, AuditorModule.register(rt)));
