export * from './data-source';
export * from './kb-store';
export * from './preference-store';
export * from './status-store';
export * from './item-store';
export * from './vector-index';
export { sha256 } from './sql-literals';
