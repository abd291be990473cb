export * from './errors';
export * from './event-batch';
export * from './event-publisher';
export * from './nats-bus';
export * from './dead-letters';
export * from './event-spool';
export * from './connection-watch';
export * from './version-follower';
