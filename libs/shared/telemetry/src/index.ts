export * from './tracing';
export * from './nats-propagation';
export * from './logger';
export * from './genai';
export * from './redacting-exporter';
export * from './sync-context-manager';
