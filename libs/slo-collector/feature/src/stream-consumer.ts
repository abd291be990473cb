import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { EventEnvelope } from '@cp/shared/contracts';
import { eventsOf, type NatsBus } from '@cp/shared/messaging';
import type { Logger } from '@cp/shared/telemetry';

/** What the consumer hands on: one event, or a reason to park it. */
export type ApplyEvent = (event: EventEnvelope) => void;

export interface StreamConsumerOptions {
  durableName: string;
  /** Everything up to this stream sequence is already in the saved state: skipped, acknowledged. */
  savedSeq: number;
  /** JetStream redelivers what is not acknowledged by then; saves happen well within it. */
  ackWaitMs: number;
}

const enc = new TextEncoder();

/**
 * A durable JetStream consumer for a read model: explicit acks, from the start of the stream. Each
 * message is applied once, in order; it is acknowledged only after the state that includes it is
 * saved (`settle`), so a crash at any moment re-applies exactly what the saved state lacks. A message
 * that is not an event, or whose event the model cannot apply, is parked in the dead-letter stream
 * with its reason and acknowledged with the rest: one bad message never stops the others.
 */
export class StreamConsumer {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private unsettled: JsMsg[] = [];
  private unsettledSeqs = new Set<number>();
  appliedSeq: number;
  readonly stats = { applied: 0, skipped: 0, parked: 0 };

  constructor(
    private readonly bus: NatsBus,
    private readonly logger: Logger,
    private readonly opts: StreamConsumerOptions,
    private readonly apply: ApplyEvent,
  ) {
    this.appliedSeq = opts.savedSeq;
  }

  async start(): Promise<void> {
    const jsm = await this.bus.jsm();
    const ackWait = this.opts.ackWaitMs * 1_000_000;
    let info = await jsm.consumers.info(this.bus.streamName, this.opts.durableName).catch(() => undefined);
    if (info && this.opts.savedSeq === 0 && info.ack_floor.stream_seq > 0) {
      // No saved state (a first start, or a state dropped or of an older format) but a consumer that
      // already acknowledged messages: start it over, so the model is rebuilt from the whole stream.
      this.logger.warn({ consumer: this.opts.durableName, ackFloor: info.ack_floor.stream_seq }, 'no saved state: replaying the event stream from its start');
      await jsm.consumers.delete(this.bus.streamName, this.opts.durableName);
      info = undefined;
    }
    if (!info) {
      await jsm.consumers
        .add(this.bus.streamName, { durable_name: this.opts.durableName, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: ackWait, max_ack_pending: 50_000 })
        .catch(async (err: unknown) => {
          await jsm.consumers.info(this.bus.streamName, this.opts.durableName).catch(() => {
            throw err;
          });
        });
    } else if (info.config.ack_wait !== ackWait) await jsm.consumers.update(this.bus.streamName, this.opts.durableName, { ack_wait: ackWait });
    const consumer = await this.bus.js.consumers.get(this.bus.streamName, this.opts.durableName);
    this.messages = await consumer.consume({ max_messages: 1000 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const m of messages) await this.handle(m);
    })();
  }

  private async handle(m: JsMsg): Promise<void> {
    if (m.seq <= this.opts.savedSeq || this.unsettledSeqs.has(m.seq)) {
      // Already in the saved state, or applied and waiting for the next save.
      this.stats.skipped++;
      if (m.seq <= this.opts.savedSeq) m.ack();
      else this.unsettled.push(m);
      return;
    }
    const entries = eventsOf(m.data);
    if (entries.length === 0) await this.park(m, m.data, 'not an event envelope (not JSON)');
    for (const entry of entries) {
      const parsed = EventEnvelope.safeParse(entry);
      if (!parsed.success) {
        await this.park(m, entries.length === 1 ? m.data : enc.encode(JSON.stringify(entry)), 'not an event envelope');
        continue;
      }
      try {
        this.apply(parsed.data);
        this.stats.applied++;
      } catch (err) {
        await this.park(m, entries.length === 1 ? m.data : enc.encode(JSON.stringify(entry)), `could not apply ${parsed.data.type}: ${err instanceof Error ? err.message : String(err)}`, [parsed.data.id]);
      }
    }
    this.appliedSeq = Math.max(this.appliedSeq, m.seq);
    this.unsettled.push(m);
    this.unsettledSeqs.add(m.seq);
  }

  private async park(m: JsMsg, data: Uint8Array, reason: string, eventIds: string[] = []): Promise<void> {
    this.stats.parked++;
    try {
      const parkedSeq = await this.bus.deadLetters.park({ consumer: this.opts.durableName, subject: m.subject, streamSeq: m.seq, data, reason, eventIds });
      this.logger.error({ streamSeq: m.seq, parkedSeq, reason }, 'message parked');
    } catch (err) {
      // The message stays in the event stream (and the auditor's store); losing it here only leaves it out of the SLOs.
      this.logger.error({ streamSeq: m.seq, reason, err: err instanceof Error ? err.message : String(err) }, 'could not park a message; skipped');
    }
  }

  /** Whether something was applied since the last save. */
  get dirty(): boolean {
    return this.unsettled.length > 0;
  }

  /** After the state including `appliedSeq` is saved: acknowledge every message it includes. */
  settle(savedSeq: number): void {
    this.opts.savedSeq = Math.max(this.opts.savedSeq, savedSeq);
    const keep: JsMsg[] = [];
    for (const m of this.unsettled) {
      if (m.seq <= savedSeq) {
        m.ack();
        this.unsettledSeqs.delete(m.seq);
      } else keep.push(m);
    }
    this.unsettled = keep;
  }

  async stop(): Promise<void> {
    await this.messages?.close();
    await this.loop?.catch(() => undefined);
  }
}
