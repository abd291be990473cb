import { AlertRaised, AlertResolved, BreakerTransitioned, HeartbeatReceived, JobDrifted, JobFailing, JobRecovered, JobStale, RequestCompleted, SloSnapshotTaken, type AlertRaisedPayload, type AlertResolvedPayload, type EventEnvelope, newId } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { breakerAlert, evaluateSloAlerts, jobAlert, snapshotOf, SloProjection, type AlertOutput, type AlertRules, type JobFinding, type ProjectionSettings, type ProjectionState } from '@cp/slo-collector/domain';
import type { JobSpec } from '@cp/slo-collector/domain';
import type { AlertWebhook } from './alert-webhook';
import type { ProjectionStore } from './projection-store';
import { StreamConsumer } from './stream-consumer';

/** Findings and breaker alerts come from live events only: replaying an old stream raises nothing. */
const LIVE_HORIZON_MS = 10 * 60_000;
/** At most this many missed hourly snapshots are caught up after a pause. */
const SNAPSHOT_CATCH_UP = 24;

export interface CollectorTimers {
  evalIntervalMs: number;
  saveIntervalMs: number;
  /** How often new events are pulled (default 1 s). */
  pullIntervalMs?: number;
  heartbeatCheckMs: number;
}

/**
 * The SLO collector: applies the event stream to its projection (requests, breaker transitions,
 * heartbeats), evaluates alerts and job staleness on timers, publishes alerts, findings and hourly
 * snapshots as events (and alerts to the webhook), and saves the projection with its stream position.
 */
export class SloCollector {
  projection!: SloProjection;
  private consumer!: StreamConsumer;
  private timers: NodeJS.Timeout[] = [];
  private saving: Promise<void> = Promise.resolve();
  private lastSaveAt = 0;

  constructor(
    private readonly rt: ServiceRuntime,
    private readonly store: ProjectionStore,
    private readonly settings: ProjectionSettings,
    private readonly rules: AlertRules,
    private readonly jobs: JobSpec[],
    private readonly timing: CollectorTimers,
    private readonly webhook: AlertWebhook | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    const saved = await this.store.load<ProjectionState>();
    const state = saved?.state.version === 1 ? saved.state : undefined;
    this.projection = new SloProjection(this.settings, this.jobs, state, this.clock());
    this.rt.logger.info({ restoredFromSeq: saved?.streamSeq ?? 0, jobs: this.jobs.length, timeScale: this.settings.time.scale }, 'SLO projection loaded');
    this.consumer = new StreamConsumer(this.rt.bus, this.rt.logger, { durableName: 'slo-collector', savedSeq: state ? (saved?.streamSeq ?? 0) : 0, ackWaitMs: Math.max(60_000, this.timing.saveIntervalMs * 6), pullIntervalMs: this.timing.pullIntervalMs }, (e) => this.apply(e));
    await this.consumer.start();
    this.every(this.timing.evalIntervalMs, () => this.evaluate());
    this.every(this.timing.heartbeatCheckMs, () => this.checkJobs());
    // Unchanged state is saved at most once a minute (alert tracks and job flags move without messages).
    this.every(this.timing.saveIntervalMs, () => (this.consumer.dirty || this.clock() - this.lastSaveAt > 60_000) && void this.save());
  }

  private every(ms: number, run: () => void): void {
    const t = setInterval(() => {
      try {
        run();
      } catch (err) {
        this.rt.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'SLO collector step failed');
      }
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  /** One event of the stream; what it cannot use it ignores, what is malformed throws (and is parked). */
  private apply(e: EventEnvelope): void {
    const now = this.clock();
    const live = now - Date.parse(e.occurredAt) <= LIVE_HORIZON_MS;
    switch (e.type) {
      case RequestCompleted.type:
        this.projection.applyRequest(RequestCompleted.schema.parse(e.payload), Date.parse(e.occurredAt));
        return;
      case BreakerTransitioned.type: {
        const change = this.projection.applyBreaker(BreakerTransitioned.schema.parse(e.payload));
        if (live) this.emitAlerts(breakerAlert(this.projection, change, now, newId));
        return;
      }
      case HeartbeatReceived.type: {
        const findings = this.projection.applyHeartbeat(HeartbeatReceived.schema.parse(e.payload));
        if (live) this.report(findings, now);
        return;
      }
      default:
        return;
    }
  }

  private evaluate(): void {
    const now = this.clock();
    this.projection.prune(now);
    this.emitAlerts(evaluateSloAlerts(this.projection, this.rules, now, newId));
    this.snapshots(now);
  }

  private checkJobs(): void {
    const now = this.clock();
    this.report(this.projection.checkJobs(now), now);
  }

  /** Publishes the hourly snapshot of every hour slot that ended since the last one (a bounded catch-up). */
  private snapshots(now: number): void {
    const completed = Math.floor(now / this.settings.time.hourMs) - 1;
    const last = this.projection.lastSnapshotHour;
    if (last !== null && last >= completed) return;
    const from = Math.max(last === null ? completed : last + 1, completed - SNAPSHOT_CATCH_UP + 1);
    for (let h = from; h <= completed; h++) {
      this.rt.bus.publish(SloSnapshotTaken, snapshotOf(this.projection, h, now), { streamId: 'slo:snapshots', correlationId: `slo-hour:${h}` });
    }
    this.projection.lastSnapshotHour = completed;
  }

  private report(findings: JobFinding[], now: number): void {
    for (const f of findings) {
      const args = { streamId: `job:${f.job}`, correlationId: `job:${f.job}` };
      switch (f.kind) {
        case 'stale':
          this.rt.bus.publish(JobStale, { job: f.job, lastSeenAt: f.lastSeenAt, expectedBy: f.expectedBy, graceMs: f.graceMs, at: now }, args);
          this.rt.logger.warn({ job: f.job, expectedBy: new Date(f.expectedBy).toISOString() }, 'job stale');
          break;
        case 'drifted':
          this.rt.bus.publish(JobDrifted, { job: f.job, ranAt: f.ranAt, nearestExpected: f.nearestExpected, driftMs: f.driftMs, at: now }, args);
          break;
        case 'failing':
          this.rt.bus.publish(JobFailing, { job: f.job, consecutiveFailures: f.consecutiveFailures, ...(f.lastMessage ? { lastMessage: f.lastMessage } : {}), at: now }, args);
          break;
        case 'recovered':
          this.rt.bus.publish(JobRecovered, { job: f.job, was: f.was, at: now }, args);
          break;
        default: {
          const unhandled: never = f;
          throw new Error(`unhandled job finding ${JSON.stringify(unhandled)}`);
        }
      }
      this.emitAlerts(jobAlert(this.projection, f, now, newId));
    }
  }

  private emitAlerts(out: AlertOutput): void {
    for (const a of out.raised) this.emit(AlertRaised.type, a, 'raised');
    for (const a of out.resolved) this.emit(AlertResolved.type, a, 'resolved');
    if (out.raised.length + out.resolved.length > 0) void this.save();
  }

  private emit(type: string, a: AlertRaisedPayload | AlertResolvedPayload, state: 'raised' | 'resolved'): void {
    const args = { streamId: `alert:${a.alertId}`, correlationId: a.alertId };
    if (state === 'raised') this.rt.bus.publish(AlertRaised, a as AlertRaisedPayload, args);
    else this.rt.bus.publish(AlertResolved, a as AlertResolvedPayload, args);
    this.projection.activity.addAlert({ alertId: a.alertId, at: a.at, state, summary: a.summary });
    this.rt.logger.warn({ alertId: a.alertId, subject: a.subject, summary: a.summary }, `alert ${state}`);
    this.webhook?.send({ type, payload: a });
  }

  /** Saves the projection with the stream position it includes, then acknowledges those messages; saves never overlap. */
  save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      const seq = this.consumer.checkpoint();
      try {
        await this.store.save(seq, this.projection.toState());
        this.lastSaveAt = this.clock();
        this.consumer.settle(seq);
      } catch (err) {
        this.rt.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'could not save the SLO projection; retrying at the next interval');
      }
    });
    return this.saving;
  }

  stats(): Record<string, unknown> {
    return { ...this.consumer?.stats, appliedSeq: this.consumer?.appliedSeq, webhook: this.webhook?.stats };
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.consumer?.stop();
    await this.save();
    await this.webhook?.stop();
  }
}
