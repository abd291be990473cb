export * from './load-config';
export * from './build-info';
export * from './base-config';
export * from './cli-config';
export * from './heap-growing';
