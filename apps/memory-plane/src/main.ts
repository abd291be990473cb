import { MemoryPlaneModule } from '@cp/memory-plane/feature';
import { bootstrapNestContext, runService } from '@cp/shared/runtime';

/** memory-plane: the four memory layers on Postgres with pgvector, served over NATS (see libs/memory-plane/feature). */
void runService('memory-plane', (rt) => bootstrapNestContext(rt, MemoryPlaneModule.register(rt)));
