import type { AuditStatusReply } from '@cp/shared/contracts';
import type { NatsBus } from '@cp/shared/messaging';
import type { CompletenessCheck } from './completeness-check';
import type { EventIngestor } from './event-ingestor';

/** How far behind the stream the store is, what is parked, and what the completeness check found. */
export async function ledgerStatus(bus: NatsBus, ingestor: EventIngestor, check: CompletenessCheck): Promise<AuditStatusReply> {
  const jsm = await bus.jsm();
  const [stream, consumer, parked] = await Promise.all([jsm.streams.info(bus.streamName), jsm.consumers.info(bus.streamName, ingestor.durableName), bus.deadLetters.count()]);
  return {
    stream: bus.streamName,
    streamLastSeq: stream.state.last_seq,
    checkpointSeq: ingestor.watermark.through,
    lag: consumer.num_pending + consumer.num_ack_pending,
    parked,
    gaps: { ...check.stats },
    stats: { ...ingestor.stats },
  };
}
