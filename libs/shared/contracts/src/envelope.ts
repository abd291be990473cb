import { z } from 'zod';

/** ISO-8601 instant with milliseconds, as produced by `Date#toISOString`. */
export const IsoInstant = z.iso.datetime({ offset: true });

/** Every event on the bus and in the store travels in this envelope. */
export const EventEnvelope = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/),
  version: z.number().int().positive(),
  streamId: z.string().min(1).max(200),
  source: z.string().min(1).max(100),
  occurredAt: IsoInstant,
  correlationId: z.string().min(1).max(200),
  causationId: z.string().max(200).nullable(),
  traceparent: z.string().max(100).nullable(),
  payload: z.unknown(),
});
export type EventEnvelope<P = unknown> = Omit<z.infer<typeof EventEnvelope>, 'payload'> & { payload: P };

/** Binds an event's wire identity (type + version -> subject) to its payload schema and type. */
export interface EventDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly type: T;
  readonly version: number;
  /** Relative subject (`cp.<domain>.<event>.v<N>`); the bus prefixes a namespace when one is set. */
  readonly subject: string;
  readonly schema: S;
}

export type PayloadOf<D extends EventDefinition> = z.infer<D['schema']>;

export function defineEvent<T extends string, S extends z.ZodType>(type: T, version: number, schema: S): EventDefinition<T, S> {
  if (!/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/.test(type)) throw new Error(`event type must be <domain>.<past-tense-event>: ${type}`);
  return { type, version, subject: `cp.${type}.v${version}`, schema };
}

/** The stream filter that captures every event subject and no RPC subject (events have four tokens). */
export const EVENT_SUBJECT_FILTER = 'cp.*.*.*';
