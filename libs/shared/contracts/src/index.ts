export * from './openai/chat';
export * from './envelope';
export * from './rpc';
export * from './services';
export * from './gateway.events';
export * from './router-catalog.rpc';
export * from './auditor.rpc';
export * from './router.events';
