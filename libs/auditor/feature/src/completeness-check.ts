import { LedgerGapFound } from '@cp/shared/contracts';
import type { EventStore } from '@cp/shared/event-store';
import type { NatsBus } from '@cp/shared/messaging';
import type { Logger } from '@cp/shared/telemetry';
import type { EventIngestor } from './event-ingestor';
import { parseEvents } from './parse-events';

export interface GapStats {
  checks: number;
  healed: number;
  missing: number;
  lastCheckAt: string | null;
}

/** Sequences looked at in one check, so one check is bounded however far behind it finds the store. */
const MAX_PER_CHECK = 10_000;

/**
 * The auditor's check of its own completeness: JetStream's ack floor for the consumer says "every
 * message up to here was handled"; the settled watermark (stored with the events) says what the
 * store really has. A message acknowledged but never settled (acked by someone else, or by a bug)
 * is read back from the stream and stored now (healed); one that is gone from the stream too is
 * missing. Either is reported as a `auditor.ledger-gap-found` event and an error log, never hidden.
 */
export class CompletenessCheck {
  readonly stats: GapStats = { checks: 0, healed: 0, missing: 0, lastCheckAt: null };
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: NatsBus,
    private readonly store: EventStore,
    private readonly ingestor: EventIngestor,
    private readonly logger: Logger,
  ) {}

  /** Checks now (in the ingestor's write order), then every `everyMs`. */
  start(everyMs = 10_000): Promise<void> {
    const first = this.ingestor.serially(() => this.check());
    this.timer = setInterval(() => void this.ingestor.serially(() => this.check()), everyMs);
    this.timer.unref();
    return first;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<void> {
    const jsm = await this.bus.jsm();
    const info = await jsm.consumers.info(this.bus.streamName, this.ingestor.durableName);
    const ackFloor = info.ack_floor.stream_seq;
    const from = this.ingestor.watermark.through;
    this.stats.checks++;
    this.stats.lastCheckAt = new Date().toISOString();
    if (ackFloor <= from) return;
    const to = Math.min(ackFloor, from + MAX_PER_CHECK);
    const healed: number[] = [];
    const missing: number[] = [];
    for (let seq = from + 1; seq <= to; seq++) {
      if (this.ingestor.watermark.isSettled(seq)) continue;
      const m = await jsm.streams.getMessage(this.bus.streamName, { seq }).catch(() => null);
      if (!m) {
        missing.push(seq);
        continue;
      }
      const { events } = parseEvents(m.data);
      const stored = await this.store.storedIds(events.map((e) => e.id));
      const fresh = events.filter((e) => !stored.has(e.id));
      if (fresh.length > 0) {
        await this.store.append(fresh);
        healed.push(seq);
      }
    }
    this.ingestor.watermark.skipTo(to);
    await this.store.saveCheckpoint({ name: this.ingestor.durableName, streamSeq: this.ingestor.watermark.through });
    if (healed.length === 0 && missing.length === 0) return;
    this.stats.healed += healed.length;
    this.stats.missing += missing.length;
    this.logger.error({ fromSeq: from + 1, toSeq: to, healed, missing }, 'ledger gap: messages acknowledged without being stored');
    this.bus.publish(LedgerGapFound, { fromSeq: from + 1, toSeq: to, healed: healed.slice(0, 1000), missing: missing.slice(0, 1000) }, { streamId: 'auditor:completeness', correlationId: `gap:${from + 1}-${to}` });
  }
}
