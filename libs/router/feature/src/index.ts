export * from './http-provider-client';
export * from './provider-call';
export * from './completion-pipeline';
export * from './router.module';
