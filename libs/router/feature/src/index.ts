export * from './router.module';
export * from './capability-verdicts';
export * from './capability-prober';
export * from './capability-matrix';
export * from './capability-catalog';
export * from './probe-grant-service';
