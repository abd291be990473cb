import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { EventEnvelope } from '@cp/shared/contracts';
import type { EventStore } from '@cp/shared/event-store';
import { eventsOf, type NatsBus } from '@cp/shared/messaging';
import type { Logger } from '@cp/shared/telemetry';

export interface IngestorOptions {
  durableName: string;
  /** Messages per write; a message may carry many events (see `eventsOf`), so bytes bound it too. */
  maxBatch: number;
  /** Bytes per write (default 4 MiB), so a run of large batch messages cannot make one huge transaction. */
  maxBatchBytes?: number;
  /** How long the first message of a batch may wait for company before the batch is written. */
  lingerMs: number;
}

export interface IngestorStats {
  stored: number;
  duplicates: number;
  poison: number;
  failedBatches: number;
}

/**
 * The single writer's loop: a durable JetStream consumer whose messages are written in batches,
 * acked only after the transaction commits. A redelivered event is skipped by id, so a crash between
 * commit and ack stores nothing twice; a message that is not an event envelope is terminated.
 */
export class EventIngestor {
  private messages: ConsumerMessages | undefined;
  private batch: JsMsg[] = [];
  private batchBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private loop: Promise<void> | undefined;
  readonly stats: IngestorStats = { stored: 0, duplicates: 0, poison: 0, failedBatches: 0 };
  private ackAll = false;
  private stopping = false;

  constructor(
    private readonly bus: NatsBus,
    private readonly store: EventStore,
    private readonly logger: Logger,
    private readonly opts: IngestorOptions = { durableName: 'auditor', maxBatch: 500, lingerMs: 20 },
  ) {}

  async start(): Promise<void> {
    const jsm = await this.bus.jsm();
    // Ack-all: one ack per committed batch (its last message) instead of one per event, which
    // halves the auditor's messages to nats-server. A consumer created before this kept explicit
    // acks (the policy cannot change); it is acked message by message, as before.
    const config = { durable_name: this.opts.durableName, ack_policy: AckPolicy.All, deliver_policy: DeliverPolicy.All, ack_wait: 30_000_000_000, max_ack_pending: 20_000 };
    const info = await jsm.consumers.info(this.bus.streamName, this.opts.durableName).catch(() => jsm.consumers.add(this.bus.streamName, config));
    this.ackAll = info.config.ack_policy === AckPolicy.All;
    const consumer = await this.bus.js.consumers.get(this.bus.streamName, this.opts.durableName);
    this.messages = await consumer.consume({ max_messages: this.opts.maxBatch * 2 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const m of messages) this.enqueue(m);
    })();
  }

  private enqueue(m: JsMsg): void {
    this.batch.push(m);
    this.batchBytes += m.data.length;
    if (this.batch.length >= this.opts.maxBatch || this.batchBytes >= (this.opts.maxBatchBytes ?? 4 * 1024 * 1024)) this.flushSoon(0);
    else if (!this.timer) this.flushSoon(this.opts.lingerMs);
  }

  private flushSoon(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const batch = this.batch;
      this.batch = [];
      this.batchBytes = 0;
      // Batches are written one after another: the hash chain has one head.
      this.writing = this.writing.then(() => this.write(batch));
    }, delay);
  }

  /**
   * Writes one batch, retrying until it is committed: with ack-all, acking a later batch would
   * also ack this one, so nothing may overtake a batch that failed (the order in the store then
   * also stays the stream's order). Redeliveries meanwhile are skipped by id.
   */
  private async write(batch: JsMsg[]): Promise<void> {
    for (let delay = 250; !(await this.tryWrite(batch)) && !this.stopping; delay = Math.min(delay * 2, 5000)) {
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** True when the batch is settled (stored and acked, or only poison). */
  private async tryWrite(batch: JsMsg[]): Promise<boolean> {
    if (batch.length === 0) return true;
    const valid: { msg: JsMsg; events: EventEnvelope[] }[] = [];
    for (const msg of batch) {
      const { events, invalid } = parseEvents(msg);
      if (invalid > 0) {
        this.stats.poison += invalid;
        this.logger.error({ subject: msg.subject, seq: msg.seq, invalid, valid: events.length }, events.length === 0 ? 'poison message: no event envelope; terminated' : 'poison entries in an event batch; skipped');
      }
      if (events.length > 0) valid.push({ msg, events });
      else msg.term();
    }
    if (valid.length === 0) return true;
    try {
      const result = await this.store.append(valid.flatMap((v) => v.events));
      this.stats.stored += result.appended;
      this.stats.duplicates += result.duplicates;
      if (this.ackAll) batch[batch.length - 1].ack();
      else for (const v of valid) v.msg.ack();
      return true;
    } catch (err) {
      this.stats.failedBatches++;
      this.logger.error({ err: err instanceof Error ? err.message : String(err), size: valid.length }, 'batch write failed; retrying');
      if (this.stopping && !this.ackAll) for (const v of valid) v.msg.nak(1000);
      return false;
    }
  }

  /** Stops pulling, writes what was received, and returns once the last batch is acked. */
  async stop(): Promise<void> {
    await this.messages?.close();
    this.stopping = true;
    await this.loop?.catch(() => undefined);
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    this.writing = this.writing.then(() => this.write(batch));
    await this.writing;
  }
}

/** The envelopes of one message (a lone event or a batch, see `eventsOf`), and how many entries were not envelopes. */
function parseEvents(msg: JsMsg): { events: EventEnvelope[]; invalid: number } {
  const entries = eventsOf(msg.data);
  const events: EventEnvelope[] = [];
  for (const entry of entries) {
    const parsed = EventEnvelope.safeParse(entry);
    if (parsed.success) events.push(parsed.data);
  }
  return { events, invalid: Math.max(1, entries.length) - events.length };
}
