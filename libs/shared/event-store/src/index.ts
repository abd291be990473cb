export * from './hash-chain';
export * from './migration-runner';
export * from './data-source';
export * from './event-store';
export * from './chain-walker';
export * from './checkpoint-note';
