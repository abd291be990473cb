import { headers as natsHeaders } from '@nats-io/transport-node';
import { RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { MessageParked, type ParkedMessageView } from '@cp/shared/contracts';

/** What a consumer parks: the message as it arrived, and why it could not be handled. */
export interface ParkRequest {
  consumer: string;
  subject: string;
  streamSeq: number;
  data: Uint8Array;
  reason: string;
  eventIds?: string[];
}

/** How a parked message is published: the dead-letter stream's name, subject and the event that reports it. */
export interface DeadLetterPorts {
  js: JetStreamClient;
  jsm: () => Promise<JetStreamManager>;
  /** `<events stream>_PARKED`. */
  stream: string;
  /** `<namespace>.cp-parked.<consumer>`: outside the event stream's `cp.*.*.*` filter. */
  subjectFor: (consumer: string) => string;
  publishEvent: (payload: ReturnType<typeof MessageParked.schema.parse>, correlationId: string) => void;
}

const MAX_REASON = 500;
const dec = new TextDecoder();

/**
 * The dead-letter stream every consumer parks what it cannot handle in: the original bytes, the
 * reason, the consumer and the source sequence, durably (file storage) before the source message is
 * acknowledged. Parking is itself an event (`consumer.message-parked`), so the ledger says what was
 * set aside. A parked message can be listed, read whole and removed once re-submitted.
 */
export class DeadLetters {
  constructor(private readonly ports: DeadLetterPorts) {}

  async ensureStream(): Promise<void> {
    const jsm = await this.ports.jsm();
    const subjects = [this.ports.subjectFor('*')];
    try {
      await jsm.streams.info(this.ports.stream);
    } catch {
      await jsm.streams.add({ name: this.ports.stream, subjects, storage: StorageType.File, retention: RetentionPolicy.Limits }).catch(async (err: unknown) => {
        await jsm.streams.info(this.ports.stream).catch(() => {
          throw err;
        });
      });
    }
  }

  /** Stores the message in the dead-letter stream (awaits its ack) and reports it; returns its parked sequence. */
  async park(p: ParkRequest): Promise<number> {
    const h = natsHeaders();
    const reason = p.reason.slice(0, MAX_REASON);
    h.set('Cp-Consumer', p.consumer);
    h.set('Cp-Subject', p.subject);
    h.set('Cp-Stream-Seq', String(p.streamSeq));
    // Header values are one line.
    h.set('Cp-Reason', reason.replace(/[\r\n]+/g, ' '));
    const ack = await this.ports.js.publish(this.ports.subjectFor(p.consumer), p.data, { headers: h, timeout: 5000 });
    this.ports.publishEvent({ consumer: p.consumer, subject: p.subject, streamSeq: p.streamSeq, parkedSeq: ack.seq, reason, eventIds: p.eventIds ?? [] }, `parked:${ack.seq}`);
    return ack.seq;
  }

  /** How many messages are parked now. */
  async count(): Promise<number> {
    const jsm = await this.ports.jsm();
    return (await jsm.streams.info(this.ports.stream)).state.messages;
  }

  /** Parked messages after `afterSeq`, oldest first; `full` keeps the whole bytes, else the first 2 KiB. */
  async list(afterSeq = 0, limit = 100, full = false): Promise<{ parked: ParkedMessageView[]; total: number }> {
    const jsm = await this.ports.jsm();
    const { state } = await jsm.streams.info(this.ports.stream);
    const parked: ParkedMessageView[] = [];
    // Bounded: at most `limit` found, and at most 10 000 sequences looked at (deleted ones are gaps).
    for (let seq = Math.max(afterSeq + 1, state.first_seq), looked = 0; seq <= state.last_seq && parked.length < limit && looked < 10_000; seq++, looked++) {
      const m = await this.get(seq, jsm);
      if (m) parked.push(view(m, full));
    }
    return { parked, total: state.messages };
  }

  /** One parked message with its original bytes, or null when there is none at that sequence. */
  async get(parkedSeq: number, jsm?: JetStreamManager): Promise<StoredMsg | null> {
    const api = jsm ?? (await this.ports.jsm());
    return api.streams.getMessage(this.ports.stream, { seq: parkedSeq }).catch(() => null);
  }

  async remove(parkedSeq: number): Promise<void> {
    const jsm = await this.ports.jsm();
    await jsm.streams.deleteMessage(this.ports.stream, parkedSeq, false);
  }
}

/** The parked message as operators see it. */
export function view(m: StoredMsg, full: boolean): ParkedMessageView {
  const text = dec.decode(m.data);
  return {
    parkedSeq: m.seq,
    consumer: m.header.get('Cp-Consumer'),
    subject: m.header.get('Cp-Subject'),
    streamSeq: Number(m.header.get('Cp-Stream-Seq')) || 0,
    reason: m.header.get('Cp-Reason'),
    parkedAt: m.time.toISOString(),
    bytes: m.data.length,
    data: full ? text : text.slice(0, 2048),
  };
}
