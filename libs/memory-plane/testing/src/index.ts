export * from './toy-sentence-model';
