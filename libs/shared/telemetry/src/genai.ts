/** OpenTelemetry GenAI semantic-convention attribute names used on provider-call spans and metrics. */
export const GenAi = {
  /** Deprecated in favour of `gen_ai.provider.name`; still set for older backends. */
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  operation: 'gen_ai.operation.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  finishReasons: 'gen_ai.response.finish_reasons',
  tokenType: 'gen_ai.token.type',
  errorType: 'error.type',
} as const;

/** GenAI semantic-convention client metrics (Prometheus names replace the dots with underscores and add the unit). */
export const GenAiMetric = {
  tokenUsage: 'gen_ai.client.token.usage',
  operationDuration: 'gen_ai.client.operation.duration',
  timeToFirstChunk: 'gen_ai.client.operation.time_to_first_chunk',
} as const;

/** The control plane's own attributes on provider-call spans. */
export const CpAttr = {
  attempt: 'cp.attempt',
  breakerState: 'cp.breaker.state',
  failover: 'cp.failover',
  shapingLevel: 'cp.shaping.level',
  repairs: 'cp.repairs',
  requestId: 'cp.request.id',
} as const;

/** A semantic-convention name as Prometheus spells it: `gen_ai.token.type` → `gen_ai_token_type`. */
export function promName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}
