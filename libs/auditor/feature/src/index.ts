export * from './event-ingestor';
export * from './auditor.module';
