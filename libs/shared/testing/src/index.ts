export * from './ports';
export * from './isolation';
export * from './otlp-receiver';
export * from './nats-server';
export * from './stack';
export * from './supervised-stack';
export * from './sample-event';
