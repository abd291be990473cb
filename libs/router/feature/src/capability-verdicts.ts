import type { CapabilityName, ChatCompletionRequest, ChatCompletionResponse } from '@cp/shared/contracts';

/** What a probe run checks, in the order it checks them: the plain completion, then each declared capability. */
export type ProbeKind = 'completion' | CapabilityName;
export const PROBE_ORDER: readonly ProbeKind[] = ['completion', 'streaming', 'tools', 'vision', 'jsonMode'];

/** The function the tools probe forces. */
export const PROBE_TOOL_NAME = 'report_probe';

/** An 8x8 red PNG: small enough to cost nothing, large enough for every provider to accept. */
export const PROBE_IMAGE_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR42mP4z8CAFTEMLQkAKP8/wc53yE8AAAAASUVORK5CYII=';

/**
 * A cap, not a spend: reasoning models (Gemini 2.5, Qwen3) count thinking against it, and a cap too
 * small would cut the visible answer and fail a capability that works.
 */
const PROBE_MAX_TOKENS = 1024;

/** The minimal request that exercises one probe kind; `model` is replaced by the adapter. */
export function probeRequest(kind: ProbeKind, model: string): ChatCompletionRequest {
  const base = { model, max_tokens: PROBE_MAX_TOKENS };
  switch (kind) {
    case 'completion':
      return { ...base, messages: [{ role: 'user', content: 'Reply with the single word OK.' }] };
    case 'streaming':
      return { ...base, stream: true, messages: [{ role: 'user', content: 'Count from 1 to 5, separated by spaces.' }] };
    case 'tools':
      return {
        ...base,
        messages: [{ role: 'user', content: `Call ${PROBE_TOOL_NAME} with status "ok".` }],
        tools: [
          {
            type: 'function',
            function: { name: PROBE_TOOL_NAME, description: 'Reports that the probe ran.', parameters: { type: 'object', properties: { status: { type: 'string' } } } },
          },
        ],
        tool_choice: { type: 'function', function: { name: PROBE_TOOL_NAME } },
      };
    case 'vision':
      return {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What colour is this image? Answer in one word.' },
              { type: 'image_url', image_url: { url: PROBE_IMAGE_DATA_URL } },
            ],
          },
        ],
      };
    case 'jsonMode':
      return { ...base, response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'Answer with the JSON object {"ok": true} and nothing else.' }] };
    default: {
      const unhandled: never = kind;
      throw new Error(`unhandled probe kind ${String(unhandled)}`);
    }
  }
}

/** How the provider call of a non-streaming probe ended, before any judgement. */
export type ProbeCallOutcome = { ok: true; response: ChatCompletionResponse } | { ok: false; detail: string };

/** How a streaming probe ended: how many OpenAI chunks came out, and whether the wire's end marker arrived. */
export type StreamProbeOutcome = { ok: true; chunks: number; complete: boolean } | { ok: false; detail: string };

export interface Verdict {
  verified: boolean;
  detail: string;
}

const failed = (detail: string): Verdict => ({ verified: false, detail });
const verified = (detail: string): Verdict => ({ verified: true, detail });

function firstMessage(response: ChatCompletionResponse) {
  return response.choices[0]?.message;
}

/** The completion answered in the wire format and the adapter parsed it into a choice. */
export function judgeCompletion(outcome: ProbeCallOutcome): Verdict {
  if (!outcome.ok) return failed(outcome.detail);
  const message = firstMessage(outcome.response);
  if (!message) return failed('the answer has no choice');
  if (!message.content && !message.tool_calls?.length) return failed(`empty answer (finish_reason ${outcome.response.choices[0]?.finish_reason ?? 'none'})`);
  return verified('answered');
}

/** A stream counts when it produced chunks and ended with the wire's end marker, not by being cut. */
export function judgeStreaming(outcome: StreamProbeOutcome): Verdict {
  if (!outcome.ok) return failed(outcome.detail);
  if (outcome.chunks === 0) return failed('the stream carried no chunks');
  if (!outcome.complete) return failed(`the stream ended without its end marker after ${outcome.chunks} chunks`);
  return verified(`${outcome.chunks} chunks, then the end marker`);
}

/** The forced tool was called, by name, with arguments that parse as a JSON object. */
export function judgeTools(outcome: ProbeCallOutcome): Verdict {
  if (!outcome.ok) return failed(outcome.detail);
  const calls = firstMessage(outcome.response)?.tool_calls ?? [];
  if (calls.length === 0) return failed('answered without calling the forced tool');
  const call = calls.find((c) => c.function.name === PROBE_TOOL_NAME);
  if (!call) return failed(`called ${calls.map((c) => c.function.name).join(', ')} instead of ${PROBE_TOOL_NAME}`);
  if (!isJsonObject(call.function.arguments)) return failed('the tool call arguments are not a JSON object');
  return verified(`called ${PROBE_TOOL_NAME}`);
}

/** The provider accepted an inline image and answered with text. */
export function judgeVision(outcome: ProbeCallOutcome): Verdict {
  if (!outcome.ok) return failed(outcome.detail);
  const content = firstMessage(outcome.response)?.content;
  if (!content) return failed('no text answer to the image');
  return verified('accepted an inline image and answered');
}

/** In JSON mode the whole content must parse as a JSON object. */
export function judgeJsonMode(outcome: ProbeCallOutcome): Verdict {
  if (!outcome.ok) return failed(outcome.detail);
  const content = firstMessage(outcome.response)?.content;
  if (!content) return failed('no content in JSON mode');
  if (!isJsonObject(content)) return failed('the content is not a JSON object');
  return verified('the content is a JSON object');
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    // Not JSON: that is the verdict, not an error.
    return false;
  }
}
