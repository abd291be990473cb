export * from './memory-plane.module';
export * from './memory-config';
export * from './memory-query';
export * from './memory-state';
export * from './memory-commands';
export * from './kb-search';
export * from './deadline';
export * from './lexeme-stats-refresher';
