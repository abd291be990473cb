import { applyHeartbeat, checkStale, newJobState } from './job-monitor';
import { JobRegistryError, parseJobRegistry, type JobSpec } from './job-registry';

const job: JobSpec = { name: 'nightly', schedule: '0 3 * * *', timezone: 'UTC', graceMs: 15 * 60_000, maxFailures: 2 };
const at = (iso: string) => Date.parse(iso);

describe('parseJobRegistry', () => {
  it('given valid entries, then they are parsed with defaults', () => {
    expect(parseJobRegistry({ version: 1, jobs: [{ name: 'nightly', schedule: '0 3 * * *', graceSeconds: 900 }] }, 'jobs.yaml')).toEqual([{ ...job, maxFailures: 3 }]);
  });

  it.each([
    [{ name: 'bad', schedule: '61 * * * *', graceSeconds: 60 }, /jobs\[0\] \(bad\): invalid cron expression/],
    [{ name: 'tz', schedule: '0 3 * * *', timezone: 'Mars/Olympus', graceSeconds: 60 }, /jobs\[0\] \(tz\): unknown time zone/],
    [{ name: 'short', schedule: '* * *', graceSeconds: 60 }, /jobs\[0\] \(short\): invalid cron expression.*expected 5 fields/],
    [{ name: 'nograce', schedule: '0 3 * * *' }, /jobs\[0\] \(nograce\): graceSeconds/],
  ])('given an invalid entry, then the registry is refused with a message naming it', (entry, message) => {
    expect(() => parseJobRegistry({ version: 1, jobs: [entry] }, 'jobs.yaml')).toThrow(JobRegistryError);
    expect(() => parseJobRegistry({ version: 1, jobs: [entry] }, 'jobs.yaml')).toThrow(message);
  });

  it('given two jobs with one name, then the second is named as a duplicate', () => {
    const e = { name: 'a', schedule: '0 3 * * *', graceSeconds: 60 };
    expect(() => parseJobRegistry({ version: 1, jobs: [e, e] }, 'jobs.yaml')).toThrow(/jobs\[1\] \(a\): duplicate/);
  });
});

describe('job monitor', () => {
  it('given a job last seen at its run, then it is stale only after the next run plus the grace, reported once', () => {
    let s = applyHeartbeat(job, newJobState(at('2026-03-01T00:00:00Z')), { job: 'nightly', status: 'success', at: at('2026-03-01T03:00:05Z') }).state;
    expect(checkStale(job, s, at('2026-03-02T03:14:00Z')).finding).toBeUndefined();
    const r = checkStale(job, s, at('2026-03-02T03:16:00Z'));
    expect(r.finding).toMatchObject({ kind: 'stale', job: 'nightly', expectedBy: at('2026-03-02T03:15:00Z') });
    s = r.state;
    expect(checkStale(job, s, at('2026-03-02T04:00:00Z')).finding).toBeUndefined();
    expect(applyHeartbeat(job, s, { job: 'nightly', status: 'success', at: at('2026-03-02T04:00:00Z') }).findings).toEqual(expect.arrayContaining([{ kind: 'recovered', job: 'nightly', was: 'stale' }]));
  });

  it('given a run two hours off its schedule, then drift is reported; one within the grace is not', () => {
    const s = newJobState(at('2026-03-01T00:00:00Z'));
    expect(applyHeartbeat(job, s, { job: 'nightly', status: 'start', at: at('2026-03-01T03:10:00Z') }).findings).toEqual([]);
    expect(applyHeartbeat(job, s, { job: 'nightly', status: 'start', at: at('2026-03-01T05:00:00Z') }).findings).toEqual([{ kind: 'drifted', job: 'nightly', ranAt: at('2026-03-01T05:00:00Z'), nearestExpected: at('2026-03-01T03:00:00Z'), driftMs: 2 * 3_600_000 }]);
  });

  it('given failures in a row up to maxFailures, then failing is reported once, and a success recovers it', () => {
    let s = newJobState(at('2026-03-01T00:00:00Z'));
    const hb = (status: 'failure' | 'success', day: number) => ({ job: 'nightly', status, message: 'disk full', at: at(`2026-03-0${day}T03:00:00Z`) });
    s = applyHeartbeat(job, s, hb('failure', 1)).state;
    const second = applyHeartbeat(job, s, hb('failure', 2));
    expect(second.findings).toEqual([{ kind: 'failing', job: 'nightly', consecutiveFailures: 2, lastMessage: 'disk full' }]);
    const third = applyHeartbeat(job, second.state, hb('failure', 3));
    expect(third.findings).toEqual([]);
    expect(applyHeartbeat(job, third.state, hb('success', 4)).findings).toEqual([{ kind: 'recovered', job: 'nightly', was: 'failing' }]);
  });
});
