export * from './supervisor-conf';
