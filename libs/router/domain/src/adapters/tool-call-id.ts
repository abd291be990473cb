import type { ChatMessage } from '@cp/shared/contracts';

/**
 * Separates a tool call id from the Gemini thought signature it carries. Thinking models sign their
 * function calls and want the signature back on the call in the next turn (Gemini 3 rejects a turn
 * without it). OpenAI clients echo tool call ids verbatim and have no other field for it, so the
 * signature rides in the id after this marker. Other wires never see it: their adapters send the
 * bare id (`withoutThoughtSignatures`), so a conversation that fails over from Gemini to another
 * provider keeps ids that provider accepts.
 */
export const THOUGHT_SIGNATURE_MARKER = '__thought__';

/** `id` alone, or `id` + marker + signature. */
export function toolCallIdWithSignature(id: string, signature: string | undefined): string {
  return signature ? `${id}${THOUGHT_SIGNATURE_MARKER}${signature}` : id;
}

/** The inverse of `toolCallIdWithSignature` (the signature follows the first marker). */
export function splitToolCallId(id: string): { id: string; thoughtSignature?: string } {
  const at = id.indexOf(THOUGHT_SIGNATURE_MARKER);
  if (at < 0) return { id };
  const signature = id.slice(at + THOUGHT_SIGNATURE_MARKER.length);
  return signature === '' ? { id: id.slice(0, at) } : { id: id.slice(0, at), thoughtSignature: signature };
}

const bare = (id: string) => splitToolCallId(id).id;

/** The messages with every tool call id bare; the same array when no id carries a signature. */
export function withoutThoughtSignatures<M extends ChatMessage>(messages: M[]): M[] {
  const signed = messages.some(
    (m) => (m.role === 'tool' && m.tool_call_id.includes(THOUGHT_SIGNATURE_MARKER)) || (m.role === 'assistant' && m.tool_calls?.some((c) => c.id.includes(THOUGHT_SIGNATURE_MARKER))),
  );
  if (!signed) return messages;
  return messages.map((m) => {
    if (m.role === 'tool') return { ...m, tool_call_id: bare(m.tool_call_id) };
    if (m.role === 'assistant' && m.tool_calls) return { ...m, tool_calls: m.tool_calls.map((c) => ({ ...c, id: bare(c.id) })) };
    return m;
  });
}
