import type { FinishReason, ToolCall, Usage } from '@cp/shared/contracts';
import type { AdapterContext } from '../adapter-context';
import { toolCallIdWithSignature } from '../tool-call-id';
import type { GeminiPart, GeminiUsageMetadata } from './gemini-wire';

/** Gemini API paths, relative to the provider base URL (which carries no version segment). */
export function geminiPath(modelId: string, stream: boolean): string {
  const model = encodeURIComponent(modelId);
  return stream ? `/v1beta/models/${model}:streamGenerateContent?alt=sse` : `/v1beta/models/${model}:generateContent`;
}

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'LANGUAGE']);

/** STOP -> stop, MAX_TOKENS -> length, safety-type reasons -> content_filter, others -> stop. */
export function finishReasonFromGemini(reason: string | undefined, hasToolCalls: boolean): FinishReason | null {
  if (reason === undefined) return null;
  if (hasToolCalls) return 'tool_calls';
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  return 'stop';
}

/** Thinking tokens count as completion tokens, as OpenAI counts reasoning tokens. */
export function usageFromGemini(meta: GeminiUsageMetadata): Usage {
  const prompt = meta.promptTokenCount ?? 0;
  const completion = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: meta.totalTokenCount ?? prompt + completion };
}

/** Visible text of the parts (thought summaries are left out). */
export function textOfParts(parts: GeminiPart[]): string {
  return parts.flatMap((p) => (p.text !== undefined && p.thought !== true ? [p.text] : [])).join('');
}

/**
 * Gemini ids function calls only sometimes; OpenAI clients need one to answer with a tool result.
 * A part's thought signature travels in the id (see `tool-call-id.ts`).
 */
export function toolCallsOfParts(parts: GeminiPart[], ctx: AdapterContext): ToolCall[] {
  return parts.flatMap((p): ToolCall[] =>
    p.functionCall
      ? [{ id: toolCallIdWithSignature(p.functionCall.id ?? `call_${ctx.newId()}`, p.thoughtSignature), type: 'function', function: { name: p.functionCall.name, arguments: JSON.stringify(p.functionCall.args ?? {}) } }]
      : [],
  );
}
