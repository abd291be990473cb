import { isRecord, type JsonRecord } from './guards';
import { sampleFromSchema } from './schema-sample';
import { tokensForChars, type TokenUsage } from './tokens';

/** One tool call a scripted reply asks for. String arguments are kept verbatim, even if not JSON. */
export interface ToolCallSpec {
  name: string;
  arguments: string | JsonRecord;
}

/** What the simulated model answers, before it is rendered in a provider's wire format. */
export interface SimReply {
  content: string | null;
  toolCalls: readonly ToolCallSpec[];
}

/** The parts of a request the echo and the usage numbers depend on, common to every format. */
export interface PromptSummary {
  lastUserText: string;
  lastUserImages: number;
  promptChars: number;
}

export function echoText(prompt: PromptSummary): string {
  const images = prompt.lastUserImages > 0 ? ` [images: ${prompt.lastUserImages}]` : '';
  return `echo: ${prompt.lastUserText}${images}`;
}

export function echoReply(prompt: PromptSummary): SimReply {
  return { content: echoText(prompt), toolCalls: [] };
}

/**
 * What a request demands of the answer's form, as real providers honour it: a tool choice that
 * forces one function (`forcedTool`), and JSON mode.
 */
export interface ReplyDirectives {
  forcedTool?: string;
  jsonMode?: boolean;
  /** The JSON Schema the answer must follow (OpenAI `json_schema`, Gemini `responseJsonSchema`/`responseSchema`). */
  jsonSchema?: JsonRecord;
}

/**
 * The unscripted answer. Real providers must call a forced tool and must answer JSON in JSON mode,
 * so the simulator does too: a forced tool is called with `{}` arguments, JSON mode with a schema
 * gets a value of that schema (`sampleFromSchema`), JSON mode without one `{"echo": <echo text>}`,
 * and everything else is echoed.
 */
export function defaultReply(prompt: PromptSummary & ReplyDirectives): SimReply {
  if (prompt.forcedTool) return { content: null, toolCalls: [{ name: prompt.forcedTool, arguments: {} }] };
  if (prompt.jsonMode && prompt.jsonSchema) return { content: JSON.stringify(sampleFromSchema(prompt.jsonSchema, echoText(prompt))), toolCalls: [] };
  if (prompt.jsonMode) return { content: JSON.stringify({ echo: echoText(prompt) }), toolCalls: [] };
  return echoReply(prompt);
}

/** Keeps only the directives that are set, so parsed requests without any stay unchanged. */
export function directives(forcedTool: string | undefined, jsonMode: boolean, jsonSchema?: unknown): ReplyDirectives {
  return { ...(forcedTool ? { forcedTool } : {}), ...(jsonMode ? { jsonMode: true } : {}), ...(jsonMode && isRecord(jsonSchema) ? { jsonSchema } : {}) };
}

/** OpenAI carries arguments as a string: objects are serialised, strings pass through untouched. */
export function argumentsAsString(args: string | JsonRecord): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

/** Anthropic and Gemini carry arguments as objects: unparseable or non-object strings become `{}`. */
export function argumentsAsObject(args: string | JsonRecord): JsonRecord {
  if (typeof args !== 'string') return args;
  try {
    const parsed: unknown = JSON.parse(args);
    return isRecord(parsed) ? parsed : {};
  } catch {
    // Malformed arguments are a test input, not an error: the object-typed formats cannot carry them.
    return {};
  }
}

function replyChars(reply: SimReply): number {
  let chars = reply.content?.length ?? 0;
  for (const call of reply.toolCalls) chars += call.name.length + argumentsAsString(call.arguments).length;
  return chars;
}

export function usageFor(prompt: PromptSummary, reply: SimReply): TokenUsage {
  return { prompt: tokensForChars(prompt.promptChars), completion: tokensForChars(replyChars(reply)) };
}

export function hasToolCalls(reply: SimReply): boolean {
  return reply.toolCalls.length > 0;
}

/** A scripted reply as the control API accepts it; see `ScriptedReply` in control-schemas. */
export function toSimReply(script: { content?: string; toolCalls?: readonly ToolCallSpec[] }): SimReply {
  const toolCalls = script.toolCalls ?? [];
  const content = script.content ?? (toolCalls.length > 0 ? null : '');
  return { content, toolCalls };
}
