import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/** One scheduled job the heartbeat monitor watches. */
export interface JobSpec {
  name: string;
  /** A cron expression (5 fields, or 6 with seconds first), read by `cron-parser`. */
  schedule: string;
  /** IANA time zone the schedule is read in. */
  timezone: string;
  /** How long after an expected run the job may stay silent (and how far a run may drift) before it is reported. */
  graceMs: number;
  /** Failures in a row that report the job as failing. */
  maxFailures: number;
}

const Entry = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'lower-case letters, digits, . _ - (at most 100)'),
  schedule: z.string().min(1).max(200),
  timezone: z.string().min(1).max(100).default('UTC'),
  graceSeconds: z.number().positive().max(30 * 24 * 3600),
  maxFailures: z.number().int().positive().max(1000).default(3),
});
const Registry = z.strictObject({ version: z.literal(1), jobs: z.array(z.unknown()).max(10_000) });

/** A registry that cannot be used; the message names the entry (`jobs[3] (nightly-backup): ...`). */
export class JobRegistryError extends Error {
  readonly code = 'SLO.INVALID_JOB_REGISTRY';
  constructor(message: string) {
    super(message);
    this.name = 'JobRegistryError';
  }
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The next expected run strictly after `after` (ms), in the job's time zone. */
export function nextRun(job: Pick<JobSpec, 'schedule' | 'timezone'>, after: number): number {
  return CronExpressionParser.parse(job.schedule, { currentDate: new Date(after), tz: job.timezone }).next().getTime();
}

/** The last expected run at or before `at` (ms). */
export function previousRun(job: Pick<JobSpec, 'schedule' | 'timezone'>, at: number): number {
  return CronExpressionParser.parse(job.schedule, { currentDate: new Date(at + 1), tz: job.timezone }).prev().getTime();
}

/**
 * Parses the job registry (already read from YAML): every entry is checked (name, cron expression,
 * time zone, grace), names are unique, and the first bad entry refuses the whole file with a message
 * naming it.
 */
export function parseJobRegistry(doc: unknown, source: string): JobSpec[] {
  const top = Registry.safeParse(doc);
  if (!top.success) throw new JobRegistryError(`${source}: ${top.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const seen = new Set<string>();
  return top.data.jobs.map((raw, index) => {
    const label = `${source}: jobs[${index}]${typeof (raw as { name?: unknown })?.name === 'string' ? ` (${(raw as { name: string }).name})` : ''}`;
    const parsed = Entry.safeParse(raw);
    if (!parsed.success) throw new JobRegistryError(`${label}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ')}`);
    const e = parsed.data;
    if (seen.has(e.name)) throw new JobRegistryError(`${label}: duplicate job name`);
    seen.add(e.name);
    if (!validTimezone(e.timezone)) throw new JobRegistryError(`${label}: unknown time zone "${e.timezone}"`);
    const fields = e.schedule.trim().split(/\s+/).length;
    if (!e.schedule.startsWith('@') && fields !== 5 && fields !== 6) throw new JobRegistryError(`${label}: invalid cron expression "${e.schedule}": expected 5 fields (or 6 with seconds), got ${fields}`);
    try {
      CronExpressionParser.parse(e.schedule, { tz: e.timezone });
      nextRun({ schedule: e.schedule, timezone: e.timezone }, Date.now());
    } catch (err) {
      throw new JobRegistryError(`${label}: invalid cron expression "${e.schedule}": ${err instanceof Error ? err.message : String(err)}`);
    }
    return { name: e.name, schedule: e.schedule, timezone: e.timezone, graceMs: Math.round(e.graceSeconds * 1000), maxFailures: e.maxFailures };
  });
}
