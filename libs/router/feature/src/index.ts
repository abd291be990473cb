export * from './http-provider-client';
export * from './completion-pipeline';
export * from './router.module';
