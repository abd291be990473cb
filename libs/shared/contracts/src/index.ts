export * from './openai/chat';
