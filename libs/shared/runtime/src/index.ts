export * from './runtime';
export * from './runtime.module';
export * from './nest-bootstrap';
export * from './health-only.module';
