// Errors
export * from './errors/domain-errors';
export * from './errors/provider-error-class';
export * from './errors/classify-provider-error';
export * from './errors/retry-after';
export * from './errors/provider-error-detail';
export * from './errors/issue-path';

// Registry
export * from './registry/registry.schema';
export * from './registry/registry.types';
export * from './registry/parse-provider-registry';
export * from './registry/redact-registry';
export * from './registry/registry-lookup';
export * from './registry/usage-cost';

// Routing
export * from './routing/classifier-config';
export * from './routing/classifier';
export * from './routing/request-features';
export * from './routing/route-decision';
export * from './routing/choose-route';

// Breaker
export * from './breaker/breaker-config';
export * from './breaker/breaker-events';
export * from './breaker/breaker-state';
export * from './breaker/breaker-decide';
export * from './breaker/breaker-book';
export * from './breaker/probe-leases';

// Adapters
export * from './adapters/adapter-context';
export * from './adapters/stream-translator';
export * from './adapters/chunk-builder';
export * from './adapters/completion-shape';
export * from './adapters/wire-adapter';
export * from './adapters/tool-call-id';
export * from './adapters/openai/openai-request';
export * from './adapters/openai/openai-response';
export * from './adapters/openai/openai-stream';
export * from './adapters/anthropic/anthropic-request';
export * from './adapters/anthropic/anthropic-response';
export * from './adapters/anthropic/anthropic-stream';
export * from './adapters/anthropic/anthropic-mapping';
export * from './adapters/gemini/gemini-request';
export * from './adapters/gemini/gemini-response';
export * from './adapters/gemini/gemini-stream';
export * from './adapters/gemini/gemini-mapping';

// Chat helpers
export * from './chat/content';
export * from './chat/output-limit';
export * from './routing/route-diff';
