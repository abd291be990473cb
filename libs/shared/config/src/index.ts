export * from './load-config';
export * from './build-info';
