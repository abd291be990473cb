export * from './http-provider-client';
export * from './provider-call';
export * from './provider-stream';
export * from './completion-pipeline';
export * from './store-restore';
export * from './breaker-sync';
export * from './registry-loader';
