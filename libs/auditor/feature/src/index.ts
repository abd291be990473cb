export * from './event-ingestor';
export * from './auditor.module';
export * from './audit-config';
export * from './chain/chain-auditor';
