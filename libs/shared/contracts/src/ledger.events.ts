import { z } from 'zod';
import { defineEvent } from './envelope';

/**
 * A consumer could not handle a message and parked it in the dead-letter stream (original bytes and
 * reason kept there), acknowledged it and went on. Every consumer follows this rule.
 */
export const MessageParked = defineEvent(
  'consumer.message-parked',
  1,
  z.object({
    consumer: z.string(),
    subject: z.string(),
    /** The message's sequence in the event stream. */
    streamSeq: z.number().int().nonnegative(),
    /** Where it is kept in the dead-letter stream: the handle to inspect and re-submit it. */
    parkedSeq: z.number().int().positive(),
    reason: z.string(),
    /** Ids of the parked events, when the entries had one. */
    eventIds: z.array(z.string()),
  }),
);

/** A parked message was stored after all (re-submitted as it was, or fixed by an operator). */
export const ParkedResubmitted = defineEvent(
  'auditor.parked-resubmitted',
  1,
  z.object({ parkedSeq: z.number().int().positive(), streamSeq: z.number().int().nonnegative(), stored: z.number().int().nonnegative(), fixed: z.boolean() }),
);

/**
 * The auditor's completeness check found stream messages acknowledged but not in the store (nor
 * parked): `healed` ones were stored from the stream now; `missing` ones are gone from the stream too.
 */
export const LedgerGapFound = defineEvent(
  'auditor.ledger-gap-found',
  1,
  z.object({ fromSeq: z.number().int().nonnegative(), toSeq: z.number().int().nonnegative(), healed: z.array(z.number().int()), missing: z.array(z.number().int()) }),
);
