export * from './embedder';
export * from './lexical-hash-embedder';
export * from './word-vectors';
export * from './word-vector-embedder';
export * from './concat-embedder';
export * from './eval/kb-eval-set';
export * from './eval/metrics';
