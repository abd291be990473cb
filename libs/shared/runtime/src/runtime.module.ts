import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NatsBus } from '@cp/shared/messaging';
import { RUNTIME, type ServiceRuntime } from './runtime';

export const LOGGER = Symbol('Logger');

/** Makes the booted runtime (bus, logger, tracer, config) injectable in a service's Nest modules. */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(rt: ServiceRuntime): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [
        { provide: RUNTIME, useValue: rt },
        { provide: NatsBus, useValue: rt.bus },
        { provide: LOGGER, useValue: rt.logger },
      ],
      exports: [RUNTIME, NatsBus, LOGGER],
    };
  }
}
