export * from './slo-collector.module';
export * from './slo-collector.service';
export * from './slo-collector-config';
export * from './alert-webhook';
export * from './stream-consumer';
export * from './projection-store';
export * from './jobs-file';
