import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { RUNTIME, serveHealth, type ServiceRuntime } from './runtime';
import { RuntimeModule } from './runtime.module';

class HealthResponder implements OnModuleInit {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}
  onModuleInit(): void {
    serveHealth(this.rt);
  }
}

/** The walking-skeleton module of a service whose own capability lands in a later issue: it joins the bus and reports health. */
@Module({})
export class ServiceSkeletonModule {
  static register(rt: ServiceRuntime): DynamicModule {
    return { module: ServiceSkeletonModule, imports: [RuntimeModule.forRoot(rt)], providers: [HealthResponder] };
  }
}
