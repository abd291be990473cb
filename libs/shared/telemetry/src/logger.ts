import { trace, context } from '@opentelemetry/api';
import { processSecrets } from '@cp/shared/contracts';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys whose values are never written, wherever they appear in a log object. */
const REDACT = ['authorization', 'apiKey', 'api_key', '*.authorization', '*.apiKey', '*.api_key', 'headers.authorization', 'headers["x-api-key"]', 'headers["x-goog-api-key"]', 'keys'];

/**
 * Structured JSON logs to stdout (or `destination`); every line written inside a span carries its trace and span ids.
 * Secrets are removed twice: by key name (`REDACT`) and, for every line whatever its fields, by the
 * stream hook, which replaces configured keys and key-shaped strings (`processSecrets`).
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    hooks: { streamWrite: (line) => processSecrets.redactJson(line) },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getSpan(context.active());
      if (!span) return {};
      const sc = span.spanContext();
      return { trace_id: sc.traceId, span_id: sc.spanId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
