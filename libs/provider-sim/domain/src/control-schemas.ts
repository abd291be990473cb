import { z } from 'zod';

const times = z.number().int().positive().optional();
const ms = z.number().int().nonnegative().max(600_000);

/** A fault the control API can set on an instance; `times` limits it to the next N requests. */
export const FaultSpec = z.discriminatedUnion('type', [
  z.object({ type: z.literal('refuse'), times }),
  z.object({ type: z.literal('reset'), times }),
  z.object({ type: z.literal('status'), status: z.number().int().min(400).max(599), message: z.string().optional(), times }),
  z.object({ type: z.literal('rate_limit'), retryAfterSeconds: z.number().int().nonnegative().default(1), times }),
  z.object({ type: z.literal('hang'), times }),
  z.object({ type: z.literal('latency'), ms, times }),
  z.object({ type: z.literal('slow_stream'), ms, times }),
  z.object({ type: z.literal('cut_stream'), afterChunks: z.number().int().nonnegative(), times }),
  z.object({ type: z.literal('malformed_json'), times }),
  z.object({ type: z.literal('wrong_schema'), times }),
  // A provider that quotes the key it was sent back: in an error body (`status`), in an error event
  // after `afterChunks` chunks of a stream (`stream_error`), or in a body that is not JSON (`malformed`).
  z.object({
    type: z.literal('echo_key'),
    mode: z.enum(['status', 'stream_error', 'malformed']).default('status'),
    status: z.number().int().min(400).max(599).default(400),
    afterChunks: z.number().int().nonnegative().default(1),
    times,
  }),
]);
export type FaultSpec = z.infer<typeof FaultSpec>;
export type FaultType = FaultSpec['type'];

const ToolCallScript = z.object({
  name: z.string().min(1),
  arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).default({}),
});

/** One scripted reply; with neither content nor tool calls it renders as an empty text answer. */
export const ScriptedReply = z.object({
  content: z.string().optional(),
  toolCalls: z.array(ToolCallScript).optional(),
});
export type ScriptedReply = z.infer<typeof ScriptedReply>;

export const ScriptRequest = z.object({ replies: z.array(ScriptedReply) });
export type ScriptRequest = z.infer<typeof ScriptRequest>;

export const ListenerRequest = z.object({ port: z.number().int().min(0).max(65535).optional() });
export type ListenerRequest = z.infer<typeof ListenerRequest>;
