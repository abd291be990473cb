import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { EventStore } from '@cp/shared/event-store';
import { BatchPuller, type NatsBus } from '@cp/shared/messaging';
import type { Logger } from '@cp/shared/telemetry';
import { parseEvents, type ParsedMessage } from './parse-events';
import { SettledWatermark } from './settled-watermark';
import { errorText, isEventFault } from './write-failure';

export interface IngestorOptions {
  durableName: string;
  /** Messages per write; a message may carry many events (see `eventsOf`), so bytes bound it too. */
  maxBatch: number;
  /** Bytes per write (default 4 MiB), so a run of large batch messages cannot make one huge transaction. */
  maxBatchBytes?: number;
  /** How long the first message of a batch may wait for company before the batch is written. */
  lingerMs: number;
  /** How often the consumer fetches what waits (one wake-up per interval, not per message; default 100 ms). */
  pullIntervalMs?: number;
  /** How long JetStream waits for an ack before redelivering (default 10 s); held messages are kept alive meanwhile. */
  ackWaitMs?: number;
  /** Attempts of one event, alone, before it is parked (default 3). */
  eventAttempts?: number;
}

export interface IngestorStats {
  stored: number;
  duplicates: number;
  /** Events (or non-event entries) set aside in the dead-letter stream. */
  parkedEvents: number;
  failedBatches: number;
  /** Single-event attempts made after a batch failed. */
  eventRetries: number;
}

const DEFAULTS: IngestorOptions = { durableName: 'auditor', maxBatch: 500, lingerMs: 20 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The single writer's loop: a durable JetStream consumer with explicit acks, pulled in batches every
 * `pullIntervalMs`. Messages are written in batches; each is acknowledged only after its events are committed (or parked), so a consumer killed
 * at any moment loses nothing: what it held is redelivered, and a redelivered event is skipped by id.
 * A batch that fails is retried event by event: an event Postgres refuses is parked with its reason
 * and acknowledged, and the chain goes on; a store that is away blocks (and keeps messages alive)
 * without parking anything. The settled position is written with the events (`consumer_checkpoints`),
 * which is what the completeness check compares with the consumer's ack floor.
 */
export class EventIngestor {
  private puller: BatchPuller | undefined;
  private batch: JsMsg[] = [];
  private batchBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly opts: IngestorOptions;
  watermark = new SettledWatermark(0);
  readonly stats: IngestorStats = { stored: 0, duplicates: 0, parkedEvents: 0, failedBatches: 0, eventRetries: 0 };

  constructor(
    private readonly bus: NatsBus,
    private readonly store: EventStore,
    private readonly logger: Logger,
    opts: Partial<IngestorOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  get durableName(): string {
    return this.opts.durableName;
  }

  async start(): Promise<void> {
    await this.ensureConsumer();
    const jsm = await this.bus.jsm();
    const { state } = await jsm.streams.info(this.bus.streamName);
    // Messages trimmed from the stream can never arrive: the watermark starts after them.
    this.watermark = new SettledWatermark(Math.max(await this.store.checkpoint(this.opts.durableName), state.first_seq - 1));
    const consumer = await this.bus.js.consumers.get(this.bus.streamName, this.opts.durableName);
    // Pulled in batches: a burst of messages is one wake-up, and the linger below gathers it into one write.
    this.puller = new BatchPuller(consumer, this.logger, { name: this.opts.durableName, intervalMs: this.opts.pullIntervalMs ?? 100, maxBatch: this.opts.maxBatch * 2 }, (m) => this.enqueue(m));
    this.puller.start();
  }

  /**
   * Explicit acks. A consumer left by an earlier version with ack-all (whose first ack after a crash
   * acknowledged what the dead instance never stored) is replaced: the new one starts from the
   * beginning of the stream, and events already stored are skipped by id.
   */
  private async ensureConsumer(): Promise<void> {
    const jsm = await this.bus.jsm();
    const ackWait = (this.opts.ackWaitMs ?? 10_000) * 1_000_000;
    const config = { durable_name: this.opts.durableName, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: ackWait, max_ack_pending: 20_000 };
    const info = await jsm.consumers.info(this.bus.streamName, this.opts.durableName).catch(() => undefined);
    if (info && info.config.ack_policy !== AckPolicy.Explicit) {
      this.logger.warn({ consumer: this.opts.durableName, was: info.config.ack_policy }, 'replacing the consumer with an explicit-ack one; stored events are skipped by id');
      await jsm.consumers.delete(this.bus.streamName, this.opts.durableName);
    } else if (info) {
      if (info.config.ack_wait !== ackWait) await jsm.consumers.update(this.bus.streamName, this.opts.durableName, { ack_wait: ackWait });
      return;
    }
    await jsm.consumers.add(this.bus.streamName, config).catch(async (err: unknown) => {
      // Another replica added it between our look and our add.
      await jsm.consumers.info(this.bus.streamName, this.opts.durableName).catch(() => {
        throw err;
      });
    });
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
      this.serially(() => this.write(batch));
    }, delay);
  }

  /** Batches (and the completeness check) run one after another: the hash chain has one head. */
  serially(work: () => Promise<void>): Promise<void> {
    this.writing = this.writing.then(work).catch((err: unknown) => this.logger.error({ err: errorText(err) }, 'auditor write step failed'));
    return this.writing;
  }

  /**
   * Settles one batch: parks what is not an event, then writes the events in one transaction; when
   * that fails for the data, event by event. Returns when every message is acknowledged, or, when
   * stopping while the store is away, after handing the rest back to JetStream.
   */
  private async write(batch: JsMsg[]): Promise<void> {
    if (batch.length === 0) return;
    const items = batch.map((msg) => ({ msg, ...parseEvents(msg.data) }));
    for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
      if (await this.parkInvalid(items)) {
        const batch = await this.writeBatch(items);
        // Event by event only when the store refused the data; a store that is away is waited for.
        if (batch === 'stored' || (batch === 'refused' && (await this.writeOneByOne(items)))) return;
      }
      if (this.stopping) {
        for (const it of items) it.msg.nak();
        return;
      }
      for (const it of items) it.msg.working();
      await sleep(delay);
    }
  }

  /** Parks the entries that are not event envelopes (once per message); false while the dead-letter stream is unreachable. */
  private async parkInvalid(items: (ParsedMessage & { msg: JsMsg; invalidParked?: boolean })[]): Promise<boolean> {
    for (const it of items) {
      if (it.invalid.length === 0 || it.invalidParked || this.watermark.isSettled(it.msg.seq)) continue;
      const reason = it.events.length === 0 ? 'not an event envelope' : `entries ${it.invalid.join(', ')} of ${it.invalid.length + it.events.length} are not event envelopes`;
      if (!(await this.park(it.msg, it.msg.data, reason, []))) return false;
      it.invalidParked = true;
      this.stats.parkedEvents += it.invalid.length;
    }
    return true;
  }

  /** The common case: every event of the batch in one transaction, with the checkpoint. */
  private async writeBatch(items: (ParsedMessage & { msg: JsMsg })[]): Promise<'stored' | 'refused' | 'store-away'> {
    const seqs = items.map((it) => it.msg.seq);
    try {
      const result = await this.store.append(items.flatMap((it) => it.events), { name: this.opts.durableName, streamSeq: this.watermark.peek(seqs) });
      this.stats.stored += result.appended;
      this.stats.duplicates += result.duplicates;
      this.settle(items);
      return 'stored';
    } catch (err) {
      this.stats.failedBatches++;
      const refused = isEventFault(err);
      this.logger.error({ err: errorText(err), messages: items.length }, refused ? 'batch refused; retrying event by event' : 'batch write failed; the store is away, retrying');
      return refused ? 'refused' : 'store-away';
    }
  }

  /**
   * After a refused batch: each event alone, a few times; one the store still refuses for its data
   * is parked. False (retry later, park nothing) as soon as a failure is the store's, not the event's.
   */
  private async writeOneByOne(items: (ParsedMessage & { msg: JsMsg })[]): Promise<boolean> {
    for (const it of items) {
      if (this.watermark.isSettled(it.msg.seq)) continue;
      for (const [index, event] of it.events.entries()) {
        let lastError: unknown;
        for (let attempt = 1; attempt <= (this.opts.eventAttempts ?? 3); attempt++) {
          this.stats.eventRetries++;
          try {
            const r = await this.store.append([event]);
            this.stats.stored += r.appended;
            this.stats.duplicates += r.duplicates;
            lastError = undefined;
            break;
          } catch (err) {
            lastError = err;
            if (!isEventFault(err) || !(await this.store.reachable())) return false;
            await sleep(50 * attempt);
          }
        }
        if (lastError === undefined) continue;
        // The message's own bytes when it is this one event; a batch's entry as JSON text.
        const bytes = it.events.length === 1 && it.invalid.length === 0 ? it.msg.data : it.rawOf(index);
        if (!(await this.park(it.msg, bytes, `refused by the store: ${errorText(lastError)}`, [event.id]))) return false;
        this.stats.parkedEvents++;
      }
      // Every event of the message is now stored or parked.
      this.settle([it]);
      await this.store.saveCheckpoint({ name: this.opts.durableName, streamSeq: this.watermark.through }).catch(() => undefined);
    }
    return true;
  }

  private settle(items: { msg: JsMsg }[]): void {
    this.watermark.settle(items.map((it) => it.msg.seq));
    for (const it of items) it.msg.ack();
  }

  /** Into the dead-letter stream, before the message is acknowledged; false when that is not possible now. */
  private async park(msg: JsMsg, data: Uint8Array, reason: string, eventIds: string[]): Promise<boolean> {
    try {
      const parkedSeq = await this.bus.deadLetters.park({ consumer: this.opts.durableName, subject: msg.subject, streamSeq: msg.seq, data, reason, eventIds });
      this.logger.error({ streamSeq: msg.seq, parkedSeq, reason, eventIds }, 'message parked');
      return true;
    } catch (err) {
      this.logger.error({ err: errorText(err), streamSeq: msg.seq }, 'could not park a message; retrying');
      return false;
    }
  }

  /** Stops pulling, writes what was received, and returns once the last batch is settled (or handed back). */
  async stop(): Promise<void> {
    await this.puller?.stop();
    this.stopping = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    await this.serially(() => this.write(batch));
  }
}
