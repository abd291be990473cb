import type { ChatCompletionChunk, Usage } from '@cp/shared/contracts';

/** One server-sent event, as eventsource-parser hands it over. */
export interface SseEvent {
  event?: string;
  data: string;
}

export interface StreamTranslatorOptions {
  /**
   * Emit a final usage-only chunk (`choices: []`), as OpenAI does for
   * `stream_options.include_usage`. The usage is available from `usage()` either way.
   */
  includeUsage?: boolean;
}

/**
 * Turns a provider's stream into OpenAI chunks, one SSE event at a time. Throws a typed error on
 * malformed input or an error event; `isComplete()` tells a clean end from a cut stream.
 */
export interface StreamTranslator {
  push(event: SseEvent): ChatCompletionChunk[];
  /** The provider signalled the end of the message. */
  isComplete(): boolean;
  /** Token usage, once the provider has reported it. */
  usage(): Usage | undefined;
}
