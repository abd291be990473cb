import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { EventEnvelope } from '@cp/shared/contracts';
import { BatchPuller, eventsOf, type NatsBus } from '@cp/shared/messaging';
import type { Logger } from '@cp/shared/telemetry';

/** What the consumer hands on: one event, or a reason to park it. */
export type ApplyEvent = (event: EventEnvelope) => void;

export interface StreamConsumerOptions {
  durableName: string;
  /** Everything up to this stream sequence is already in the saved state: skipped, acknowledged. */
  savedSeq: number;
  /** JetStream redelivers what is not acknowledged by then; saves happen well within it. */
  ackWaitMs: number;
  /** How often the consumer asks for what arrived since its last pull (default 1 s). */
  pullIntervalMs?: number;
  /** Messages per pull (default 1000). */
  maxBatch?: number;
}

const enc = new TextEncoder();

/**
 * A durable JetStream consumer for a read model, pulled in batches (`BatchPuller`, every
 * `pullIntervalMs`: the process wakes once per interval, not once per event). Each message is
 * applied once, in order. Acknowledgement is ack-all, once per save: a save takes a `checkpoint`
 * (the stream position its state includes) and, once that state is saved (`settle`), the message at
 * that position is acknowledged, which acknowledges everything before it; a crash at any moment
 * re-applies exactly what the saved state lacks. Only the newest message and the one of each
 * checkpoint are held until then, not every message since the last save: a held message keeps its
 * bytes, and held for a save interval they outlive the young generation and wait for a full GC
 * (docs/performance.md, "The slo-collector's peak memory"). A message that is not an event, or whose
 * event the model cannot apply, is parked in the dead-letter stream with its reason and settled with
 * the rest: one bad message never stops the others.
 */
export class StreamConsumer {
  private puller: BatchPuller | undefined;
  /** Stream sequences of the messages applied (or skipped) and not yet acknowledged. */
  private unsettledSeqs = new Set<number>();
  /** The held message of highest sequence: what the next checkpoint acknowledges. */
  private newest: JsMsg | undefined;
  /** The message each checkpoint not yet settled acknowledges, by the position it was taken at. */
  private checkpoints = new Map<number, JsMsg>();
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
    await this.ensureConsumer();
    const consumer = await this.bus.js.consumers.get(this.bus.streamName, this.opts.durableName);
    this.puller = new BatchPuller(consumer, this.logger, { name: this.opts.durableName, intervalMs: this.opts.pullIntervalMs ?? 1_000, maxBatch: this.opts.maxBatch ?? 1_000 }, (m) => this.handle(m));
    this.puller.start();
  }

  /**
   * Ack-all, from the message after the saved state. A consumer without saved state behind it (a first
   * start, or a state dropped or of an older format) that already acknowledged messages, or one of an
   * older ack policy, is replaced, so the model is rebuilt from where its state ends.
   */
  private async ensureConsumer(): Promise<void> {
    const jsm = await this.bus.jsm();
    const ackWait = this.opts.ackWaitMs * 1_000_000;
    let info = await jsm.consumers.info(this.bus.streamName, this.opts.durableName).catch(() => undefined);
    const stale = info && this.opts.savedSeq === 0 && info.ack_floor.stream_seq > 0;
    if (info && (stale || info.config.ack_policy !== AckPolicy.All)) {
      this.logger.warn({ consumer: this.opts.durableName, ackFloor: info.ack_floor.stream_seq, ackPolicy: info.config.ack_policy, fromSeq: this.opts.savedSeq + 1 }, 'replacing the read model consumer: it starts after the saved state');
      await jsm.consumers.delete(this.bus.streamName, this.opts.durableName);
      info = undefined;
    }
    if (info) {
      if (info.config.ack_wait !== ackWait) await jsm.consumers.update(this.bus.streamName, this.opts.durableName, { ack_wait: ackWait });
      return;
    }
    const from = this.opts.savedSeq > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.opts.savedSeq + 1 } : { deliver_policy: DeliverPolicy.All };
    await jsm.consumers.add(this.bus.streamName, { durable_name: this.opts.durableName, ack_policy: AckPolicy.All, ack_wait: ackWait, max_ack_pending: -1, ...from }).catch(async (err: unknown) => {
      // Another replica added it between our look and our add.
      await jsm.consumers.info(this.bus.streamName, this.opts.durableName).catch(() => {
        throw err;
      });
    });
  }

  private async handle(m: JsMsg): Promise<void> {
    if (m.seq <= this.opts.savedSeq || this.unsettledSeqs.has(m.seq)) {
      // Already in the saved state, or applied and waiting for the next save (a redelivery).
      this.stats.skipped++;
      this.hold(m);
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
    this.hold(m);
  }

  private hold(m: JsMsg): void {
    this.unsettledSeqs.add(m.seq);
    if (!this.newest || m.seq > this.newest.seq) this.newest = m;
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
    return this.unsettledSeqs.size > 0;
  }

  /**
   * The stream position the model's state includes now, to save with it; `settle` with it once saved.
   * Every message held so far is at or below it (a held message was applied, or skipped as already in the state).
   */
  checkpoint(): number {
    const seq = this.appliedSeq;
    if (this.newest) this.checkpoints.set(seq, this.newest);
    return seq;
  }

  /** After the state including `savedSeq` (a `checkpoint`) is saved: one ack-all for every message it includes. */
  settle(savedSeq: number): void {
    this.opts.savedSeq = Math.max(this.opts.savedSeq, savedSeq);
    let last: JsMsg | undefined;
    for (const [seq, m] of this.checkpoints) {
      if (seq > savedSeq) continue;
      if (!last || m.seq > last.seq) last = m;
      this.checkpoints.delete(seq);
    }
    for (const seq of this.unsettledSeqs) if (seq <= savedSeq) this.unsettledSeqs.delete(seq);
    if (this.newest && this.newest.seq <= savedSeq) this.newest = undefined;
    last?.ack();
  }

  async stop(): Promise<void> {
    await this.puller?.stop();
  }
}
