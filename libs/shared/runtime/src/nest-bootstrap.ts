import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplicationContext, LoggerService } from '@nestjs/common';
import type { Logger } from '@cp/shared/telemetry';
import type { ServiceRuntime } from './runtime';

/** Routes Nest's own log lines into the service's JSON logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
}

/** A NATS-only service: a Nest application context whose providers start work in lifecycle hooks. */
export async function bootstrapNestContext(rt: ServiceRuntime, module: DynamicModule): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(module, { logger: new PinoNestLogger(rt.logger), abortOnError: false });
  await app.init();
  return app;
}
