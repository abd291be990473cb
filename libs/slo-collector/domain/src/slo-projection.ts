import { SLO_NAMES, type AlertRaisedPayload, type HeartbeatReceivedPayload, type PayloadOf, type RequestCompleted, type BreakerTransitioned, type SloName, type SloWindowValue } from '@cp/shared/contracts';
import { ActivityLog, type ActivityState } from './activity-log';
import { idleTrack, type AlertTrack } from './alert-policy';
import { applyHeartbeat, checkStale, newJobState, type JobFinding, type JobState } from './job-monitor';
import type { JobSpec } from './job-registry';
import { RecoveryEpisodes, type EpisodeChange, type Episode, type BreakerView } from './recovery-episodes';
import { sampleOf } from './request-sample';
import { SlotSeries, type SlotSeriesState } from './slot-series';
import { type SloTargets, type TimeScale, type WindowName } from './slo-settings';
import { recoveryTally, tallyOf, windowValue } from './slo-values';

export const OVERALL = 'overall';
/** Routes are few (the registry's); past this many, new ones are counted under `other`. */
const MAX_ROUTES = 64;

export interface ProjectionState {
  version: 1;
  series: [string, SlotSeriesState][];
  recovery: { episodes: Episode[]; breakers: BreakerView[] };
  jobs: [string, JobState][];
  activity: ActivityState;
  alerts: [string, AlertTrack & { raised?: AlertRaisedPayload }][];
  lastSnapshotHour: number | null;
}

export interface ProjectionSettings {
  time: TimeScale;
  targets: SloTargets;
  /** How long a still-open breaker episode waits before it counts as not recovered (already scaled). */
  recoveryGraceMs: number;
}

/**
 * The collector's state, built from events: request counts per route in minute and hour slots,
 * breaker episodes, job heartbeats, recent activity, and the alert tracks. Pure: the feature layer
 * feeds it events and a clock, persists `toState()` with the stream position, and publishes what
 * it reports.
 */
export class SloProjection {
  private series = new Map<string, SlotSeries>();
  readonly recovery: RecoveryEpisodes;
  readonly activity: ActivityLog;
  private jobStates = new Map<string, JobState>();
  readonly alerts = new Map<string, AlertTrack & { raised?: AlertRaisedPayload }>();
  lastSnapshotHour: number | null = null;

  constructor(
    readonly settings: ProjectionSettings,
    private jobs: JobSpec[],
    state?: ProjectionState,
    now = Date.now(),
  ) {
    this.recovery = state ? RecoveryEpisodes.fromState(state.recovery) : new RecoveryEpisodes();
    this.activity = state ? ActivityLog.fromState(settings.time, state.activity) : new ActivityLog(settings.time);
    if (state) {
      for (const [route, s] of state.series) this.series.set(route, SlotSeries.fromState(settings.time, s));
      this.jobStates = new Map(state.jobs);
      for (const [k, v] of state.alerts) this.alerts.set(k, v);
      this.lastSnapshotHour = state.lastSnapshotHour;
    }
    // Jobs added to the registry since the state was saved are watched from now; removed ones are forgotten.
    const names = new Set(jobs.map((j) => j.name));
    for (const name of this.jobStates.keys()) if (!names.has(name)) this.jobStates.delete(name);
    for (const j of jobs) if (!this.jobStates.has(j.name)) this.jobStates.set(j.name, newJobState(now));
  }

  get jobSpecs(): JobSpec[] {
    return this.jobs;
  }

  jobState(name: string): JobState | undefined {
    return this.jobStates.get(name);
  }

  private seriesFor(route: string): SlotSeries {
    let s = this.series.get(route);
    if (!s) {
      if (route !== OVERALL && this.series.size > MAX_ROUTES) return this.seriesFor('other');
      this.series.set(route, (s = new SlotSeries(this.settings.time)));
    }
    return s;
  }

  applyRequest(p: PayloadOf<typeof RequestCompleted>, occurredAt: number): void {
    const s = sampleOf(p, occurredAt);
    this.seriesFor(OVERALL).add(s);
    this.seriesFor(s.route).add(s);
    this.activity.addRequest(p.requestId, s, p.trail?.attempts ?? [], p.outcome);
  }

  applyBreaker(t: PayloadOf<typeof BreakerTransitioned>): EpisodeChange {
    return this.recovery.apply(t);
  }

  /** A heartbeat of a job in the registry; one of a job no longer there is ignored. */
  applyHeartbeat(hb: HeartbeatReceivedPayload): JobFinding[] {
    const job = this.jobs.find((j) => j.name === hb.job);
    const state = this.jobStates.get(hb.job);
    if (!job || !state) return [];
    const r = applyHeartbeat(job, state, hb);
    this.jobStates.set(job.name, r.state);
    return r.findings;
  }

  checkJobs(now: number): JobFinding[] {
    const found: JobFinding[] = [];
    for (const job of this.jobs) {
      const state = this.jobStates.get(job.name);
      if (!state) continue;
      const r = checkStale(job, state, now);
      this.jobStates.set(job.name, r.state);
      if (r.finding) found.push(r.finding);
    }
    return found;
  }

  routes(): string[] {
    return [...this.series.keys()].filter((r) => r !== OVERALL).sort();
  }

  /** One SLO of one series (`overall` or a route) over one window. Auto-recovery has no routes: it is per breaker. */
  value(route: string, slo: SloName, w: WindowName, now: number): SloWindowValue {
    const target = this.settings.targets[slo];
    if (slo === 'auto_recovery_rate') {
      if (route !== OVERALL) return { value: null, verdict: 'no_data', events: 0, burnRate: null };
      return windowValue(recoveryTally(this.recovery.judge(now - this.settings.time.window(w), now, this.settings.recoveryGraceMs)), target);
    }
    const series = this.series.get(route);
    if (!series) return { value: null, verdict: 'no_data', events: 0, burnRate: null };
    return windowValue(tallyOf(slo, series.window(w, now), target), target);
  }

  /** One SLO over one hour slot, for the hourly history and the snapshot events. */
  hourValue(route: string, slo: SloName, hourIndex: number, now: number): SloWindowValue {
    const target = this.settings.targets[slo];
    const hourMs = this.settings.time.hourMs;
    if (slo === 'auto_recovery_rate') {
      if (route !== OVERALL) return { value: null, verdict: 'no_data', events: 0, burnRate: null };
      const end = (hourIndex + 1) * hourMs;
      return windowValue(recoveryTally(this.recovery.judge(hourIndex * hourMs, Math.min(end, now), this.settings.recoveryGraceMs)), target);
    }
    const series = this.series.get(route);
    if (!series) return { value: null, verdict: 'no_data', events: 0, burnRate: null };
    return windowValue(tallyOf(slo, series.hour(hourIndex), target), target);
  }

  /** Every SLO of a series over one hour slot. */
  hourValues(route: string, hourIndex: number, now: number): Record<string, SloWindowValue> {
    return Object.fromEntries(SLO_NAMES.map((slo) => [slo, this.hourValue(route, slo, hourIndex, now)]));
  }

  alertTrack(key: string): AlertTrack & { raised?: AlertRaisedPayload } {
    return this.alerts.get(key) ?? idleTrack();
  }

  prune(now: number): void {
    for (const s of this.series.values()) s.prune(now);
    this.recovery.prune(now - this.settings.time.window('30d'));
    this.activity.prune(now);
  }

  toState(): ProjectionState {
    return {
      version: 1,
      series: [...this.series].map(([k, s]) => [k, s.toState()]),
      recovery: this.recovery.toState(),
      jobs: [...this.jobStates],
      activity: this.activity.toState(),
      alerts: [...this.alerts],
      lastSnapshotHour: this.lastSnapshotHour,
    };
  }
}
