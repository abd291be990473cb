import type { PromptSummary, ReplyDirectives, SimReply } from './sim-reply';
import type { TokenUsage } from './tokens';

export type WireFormatName = 'openai' | 'anthropic' | 'gemini';

/** A completion request reduced to what the simulator needs, whatever format it arrived in. */
export interface CompletionRequest extends PromptSummary, ReplyDirectives {
  model: string;
  stream: boolean;
  includeUsage: boolean;
}

export type ParseOutcome = { ok: true; request: CompletionRequest } | { ok: false; message: string };

/** What the URL says about a request; Gemini puts the model and streaming in the path. */
export interface RouteHints {
  model?: string;
  stream?: boolean;
}

/** Everything a renderer needs. `id` and `created` are given, so rendering stays deterministic. */
export interface RenderInput {
  id: string;
  created: number;
  model: string;
  reply: SimReply;
  usage: TokenUsage;
  includeUsage: boolean;
}

/** One provider's wire format: request parsing, JSON and SSE rendering, and its error shape. */
export interface WireFormat {
  readonly name: WireFormatName;
  parse(body: unknown, hints: RouteHints): ParseOutcome;
  renderJson(input: RenderInput): unknown;
  /** Complete SSE frames; the last `terminalFrames` of them complete the stream, so a cut stream never sends them. */
  renderStream(input: RenderInput): string[];
  readonly terminalFrames: number;
  errorBody(status: number, message: string): unknown;
  /** An SSE frame reporting an error in the middle of a stream, as this provider sends one. */
  errorEvent(message: string): string;
  /** A well-formed stream whose events do not have this format's schema. */
  readonly wrongSchemaStream: string;
}

export function parseFailure(message: string): ParseOutcome {
  return { ok: false, message };
}
