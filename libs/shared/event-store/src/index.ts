export * from './hash-chain';
export * from './data-source';
export * from './event-store';
