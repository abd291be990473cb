export * from './gateway-config';
export * from './gateway-error';
export * from './openai-error.filter';
export * from './gateway.module';
export * from './bootstrap-gateway';
