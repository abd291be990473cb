import type { HeartbeatReceivedPayload, JobView } from '@cp/shared/contracts';
import { nextRun, previousRun, type JobSpec } from './job-registry';

/** What the monitor remembers of one job (part of the collector's projection). */
export interface JobState {
  lastStatus: 'start' | 'success' | 'failure' | null;
  lastSeenAt: number | null;
  lastSuccessAt: number | null;
  lastMessage: string | null;
  consecutiveFailures: number;
  lastDriftMs: number | null;
  /** When watching began (boot, or the job's first appearance in the registry): the reference of a job never heard from. */
  watchingSince: number;
  /** Reported stale and not heard from since. */
  stale: boolean;
  /** Reported failing and no success since. */
  failing: boolean;
}

export type JobFinding =
  | { kind: 'stale'; job: string; lastSeenAt: number | null; expectedBy: number; graceMs: number }
  | { kind: 'drifted'; job: string; ranAt: number; nearestExpected: number; driftMs: number }
  | { kind: 'failing'; job: string; consecutiveFailures: number; lastMessage?: string }
  | { kind: 'recovered'; job: string; was: 'stale' | 'failing' };

export function newJobState(now: number): JobState {
  return { lastStatus: null, lastSeenAt: null, lastSuccessAt: null, lastMessage: null, consecutiveFailures: 0, lastDriftMs: null, watchingSince: now, stale: false, failing: false };
}

/**
 * How far a run is from its schedule: the distance to the nearest expected run. A run is judged
 * when it starts (`start`), or at its end for jobs that report no start.
 */
export function driftOf(job: JobSpec, at: number): { nearest: number; driftMs: number } {
  const prev = previousRun(job, at);
  const next = nextRun(job, at);
  const nearest = at - prev <= next - at ? prev : next;
  return { nearest, driftMs: at - nearest };
}

/** Applies one heartbeat: updates the state and says what it revealed (drift, a failing streak, a recovery). */
export function applyHeartbeat(job: JobSpec, state: JobState, hb: HeartbeatReceivedPayload): { state: JobState; findings: JobFinding[] } {
  const findings: JobFinding[] = [];
  const s: JobState = { ...state, lastSeenAt: hb.at, lastMessage: hb.message ?? null };
  const runBegins = hb.status === 'start' || state.lastStatus !== 'start';
  if (runBegins) {
    const { nearest, driftMs } = driftOf(job, hb.at);
    s.lastDriftMs = driftMs;
    if (Math.abs(driftMs) > job.graceMs) findings.push({ kind: 'drifted', job: job.name, ranAt: hb.at, nearestExpected: nearest, driftMs });
  }
  if (state.stale) {
    s.stale = false;
    findings.push({ kind: 'recovered', job: job.name, was: 'stale' });
  }
  if (hb.status === 'failure') {
    s.consecutiveFailures = state.consecutiveFailures + 1;
    if (s.consecutiveFailures >= job.maxFailures && !state.failing) {
      s.failing = true;
      findings.push({ kind: 'failing', job: job.name, consecutiveFailures: s.consecutiveFailures, ...(hb.message ? { lastMessage: hb.message } : {}) });
    }
  } else if (hb.status === 'success') {
    s.consecutiveFailures = 0;
    s.lastSuccessAt = hb.at;
    if (state.failing) {
      s.failing = false;
      findings.push({ kind: 'recovered', job: job.name, was: 'failing' });
    }
  }
  s.lastStatus = hb.status;
  return { state: s, findings };
}

/** When the job is next due: the first expected run after it was last heard from (or since watching began). */
export function expectedBy(job: JobSpec, state: JobState): number {
  return nextRun(job, state.lastSeenAt ?? state.watchingSince) + job.graceMs;
}

/** A job silent past its next expected run plus its grace is stale, reported once until it reports again. */
export function checkStale(job: JobSpec, state: JobState, now: number): { state: JobState; finding?: JobFinding } {
  if (state.stale) return { state };
  const due = expectedBy(job, state);
  if (now <= due) return { state };
  return { state: { ...state, stale: true }, finding: { kind: 'stale', job: job.name, lastSeenAt: state.lastSeenAt, expectedBy: due, graceMs: job.graceMs } };
}

export function jobView(job: JobSpec, state: JobState, now: number): JobView {
  const status: JobView['status'] = state.stale ? 'stale' : state.failing ? 'failing' : state.lastStatus === 'start' ? 'running' : state.lastSeenAt === null ? 'waiting' : 'ok';
  return {
    name: job.name,
    schedule: job.schedule,
    timezone: job.timezone,
    graceMs: job.graceMs,
    status,
    lastStatus: state.lastStatus,
    lastSeenAt: state.lastSeenAt,
    lastSuccessAt: state.lastSuccessAt,
    lastMessage: state.lastMessage,
    nextExpectedAt: nextRun(job, Math.max(now, state.lastSeenAt ?? 0) - 1),
    consecutiveFailures: state.consecutiveFailures,
    lastDriftMs: state.lastDriftMs,
  };
}
