import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type OpenAI from 'openai';
import type { Client } from 'pg';
import { freePort, REPO_ROOT, waitFor, type Stack } from '@cp/shared/testing';
import { simControl as sim, startE2e } from './support/e2e-kit';
import { openDashboard } from './support/dashboard-browser';

interface WindowValue {
  value: number | null;
  verdict: string;
  events: number;
}
interface Report {
  timeScale: number;
  overall: Record<string, { windows: Record<string, WindowValue>; budgetLeft: number | null; hourly: { hourStart: number; value: number | null }[] }>;
  routes: Record<string, unknown>;
  activeAlerts: { alertId: string; subject: { kind: string; slo?: string } }[];
}
interface Hook {
  type: string;
  alertId: string;
  subject: { kind: string; slo?: string; job?: string };
}

/** A local webhook receiver: records every alert POSTed to it. */
async function webhookReceiver(): Promise<{ url: string; received: Hook[]; server: Server }> {
  const received: Hook[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as Hook);
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${port}/hooks/alerts`, received, server };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SLOs, alerts and heartbeats on the running stack, with time scaled 360x (an hour of SLO windows
 * in 10 s: the 5-minute window is 0.83 s, the 30-minute one 5 s).
 */
describe('SLOs, burn-rate alerts and heartbeats on the running stack', () => {
  let stack: Stack;
  let client: OpenAI;
  let db: Client;
  let stop: (() => Promise<void>) | undefined;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  const TIME_SCALE = 360;

  beforeAll(async () => {
    hooks = await webhookReceiver();
    const jobsFile = join(process.env.TMPDIR ?? '/tmp', `cp-jobs-${process.pid}.yaml`);
    writeFileSync(jobsFile, ['version: 1', 'jobs:', '  - name: tick', '    schedule: "*/2 * * * * *"', '    graceSeconds: 2', '  - name: nightly-report', '    schedule: "0 3 * * *"', '    timezone: Europe/Berlin', '    graceSeconds: 900', ''].join('\n'));
    ({ stack, client, db, stop } = await startE2e({
      label: 'slo',
      // Six services and a browser later: on a machine shared by several runs, booting alone can take a while.
      healthTimeoutMs: 90_000,
      serviceEnv: {
        gateway: { CP_BREAKER_RESET_MS: '1500' },
        'slo-collector': {
          CP_SLO_TIME_SCALE: String(TIME_SCALE),
          CP_SLO_EVAL_INTERVAL_MS: '250',
          CP_SLO_SAVE_INTERVAL_MS: '500',
          CP_SLO_ALERT_MIN_EVENTS: '5',
          // Scaled: 20 s, longer than the scripted outage, so the open breaker is judged only once it closed.
          CP_SLO_RECOVERY_GRACE_MS: String(2 * 3_600_000),
          CP_HEARTBEAT_CHECK_MS: '250',
          CP_ALERT_WEBHOOK_URL: hooks.url,
          CP_JOBS_FILE: jobsFile,
        },
      },
    }));
  });

  afterAll(async () => {
    await stop?.();
    hooks?.server.close();
  });

  const api = async <T>(path: string, init?: { method: string; body: unknown }): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method: init?.method ?? 'GET',
      headers: { authorization: `Bearer ${stack.apiKey}`, ...(init ? { 'content-type': 'application/json' } : {}) },
      body: init ? JSON.stringify(init.body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const report = async () => (await api<Report>('/v1/slo')).body;
  const ask = (text: string) => client.chat.completions.create({ model: 'qwen/qwen3-235b-a22b', messages: [{ role: 'user', content: text }] });
  /** Sends requests one after another for `ms`. */
  const traffic = async (label: string, ms: number) => {
    const until = Date.now() + ms;
    let n = 0;
    while (Date.now() < until) {
      const r = await ask(`${label} ${n++}`);
      expect(r.choices[0].message.content).toBe(`echo: ${label} ${n - 1}`);
    }
    return n;
  };
  const storedAlerts = async (type: string) => (await db.query(`SELECT payload FROM events WHERE type = $1 AND payload->'subject'->>'kind' = 'slo' ORDER BY position`, [type])).rows.map((r: { payload: Hook }) => r.payload);

  it('given healthy traffic, then every SLO with data passes and the report has windows, verdicts, budget and hourly history', async () => {
    const sent = await traffic('healthy', 1500);
    // The 24-hour window (4 minutes at this scale) holds the whole test.
    const r = await waitFor('the healthy traffic in the SLOs', async () => {
      const rep = await report();
      return rep.overall.degradation_rate.windows['24h'].events >= sent ? rep : undefined;
    });
    expect(r.timeScale).toBe(TIME_SCALE);
    expect(r.overall.degradation_rate.windows['24h']).toMatchObject({ value: 0, verdict: 'pass', events: sent });
    expect(r.overall.timeout_rate.windows['24h']).toMatchObject({ value: 0, verdict: 'pass' });
    expect(r.overall.latency_p95.windows['24h'].verdict).toBe('pass');
    expect(r.overall.tool_success_rate.windows['24h'].verdict).toBe('no_data');
    expect(r.overall.degradation_rate.budgetLeft).toBe(1);
    expect(r.overall.degradation_rate.hourly).toHaveLength(24);
    expect(Object.keys(r.routes)).toContain('full');
    expect(r.activeAlerts.filter((a) => a.subject.kind === 'slo')).toEqual([]);
  });

  it('given a scripted outage of the primary, then the SLOs show the degradation, exactly one alert is raised and reaches the webhook, and after recovery it resolves', async () => {
    await sim(stack).fault('qwen', { type: 'status', status: 503 });
    await traffic('outage', 3000);
    const during = await report();
    expect(during.overall.degradation_rate.windows['6h'].verdict).toBe('fail');
    expect(during.overall.degradation_rate.windows['6h'].value).toBeGreaterThan(0.2);
    // (The job `tick` has not reported since boot: its stale alerts are the heartbeat test's.)
    const sloHooks = (type: string) => hooks.received.filter((h) => h.type === type && h.subject.kind === 'slo');
    const raised = await waitFor('the degradation alert at the webhook', async () => (sloHooks('slo.alert-raised').length > 0 ? sloHooks('slo.alert-raised') : undefined));
    expect(raised.map((h) => h.subject)).toEqual([{ kind: 'slo', slo: 'degradation_rate', route: 'overall' }]);

    // Recovery: the primary answers again; after the breaker's reset one probe closes it.
    await sim(stack).clear('qwen');
    await sleep(1600);
    await traffic('recovered', 6000);
    const resolved = await waitFor('the alert resolved at the webhook', async () => sloHooks('slo.alert-resolved')[0], 30_000, 200);
    expect(resolved.alertId).toBe(raised[0].alertId);

    const after = await report();
    expect(after.overall.degradation_rate.windows['5m']).toMatchObject({ value: 0, verdict: 'pass' });
    // The longer windows remember the outage: the error budget is spent.
    expect(after.overall.degradation_rate.windows['30d'].verdict).toBe('fail');
    expect(after.overall.degradation_rate.budgetLeft).toBeLessThan(0);
    // The breaker opened during the outage and closed after one probe, without an operator.
    expect(after.overall.auto_recovery_rate.windows['6h']).toMatchObject({ value: 1, verdict: 'pass', events: 1 });
    expect(after.activeAlerts.filter((a) => a.subject.kind === 'slo')).toEqual([]);
    // One alert, not one per request, in the store as in the webhook.
    expect((await waitFor('the alert events stored', async () => {
      const r = await storedAlerts('slo.alert-resolved');
      return r.length > 0 ? r : undefined;
    })).map((a) => a.alertId)).toEqual([raised[0].alertId]);
    expect((await storedAlerts('slo.alert-raised')).map((a) => a.alertId)).toEqual([raised[0].alertId]);
    expect(sloHooks('slo.alert-raised')).toHaveLength(1);
  });

  it('given the outage, then cpctl slo prints every SLO with its verdicts, budget and an hourly sparkline', async () => {
    // Exit code 2 while an alert is active: the job `tick` has been silent since boot.
    const run = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'dist/apps/cpctl/src/main.js'), 'slo'], { env: { PATH: process.env.PATH, CP_GATEWAY_URL: stack.gatewayUrl, CP_API_KEY: stack.apiKey } }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    expect(run.code).toBe(2);
    const stdout = run.stdout;
    expect(stdout).toContain('ALERT (ticket): job tick silent');
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^slo\s+target\s+5m\s+1h\s+6h\s+24h\s+30d\s+budget\s+hourly/);
    const degradation = lines.find((l) => l.startsWith('degradation_rate')) ?? '';
    expect(degradation).toContain('FAIL');
    expect(degradation).toMatch(/[▁▂▃▄▅▆▇█]/);
    expect(lines.find((l) => l.startsWith('auto_recovery_rate'))).toContain('100.0% PASS');
    expect(stdout).toContain(`time scale ${TIME_SCALE}`);
  });

  it('given the hours passing, then hourly snapshots are stored as events', async () => {
    const snapshots = await waitFor('hourly snapshots in the store', async () => {
      const r = await db.query(`SELECT payload FROM events WHERE type = 'slo.snapshot-taken' ORDER BY position`);
      return r.rowCount && r.rowCount >= 2 ? r.rows.map((x: { payload: { overall: Record<string, WindowValue>; hourEnd: number; hourStart: number } }) => x.payload) : undefined;
    }, 30_000, 500);
    expect(snapshots[0].hourEnd - snapshots[0].hourStart).toBe(3_600_000 / TIME_SCALE);
    expect(snapshots.some((s) => s.overall.degradation_rate.events > 0)).toBe(true);
  });

  it('given the collector restarted, then its SLOs continue from the saved projection', async () => {
    // The collector pulls once a second: the earlier tests' last events may still be on their way, so
    // `before` is read once the count has stood still over two pulls (what it holds, not what it will hold).
    let last = -1;
    const before = await waitFor('the collector caught up', async () => {
      const w = (await report()).overall.degradation_rate.windows['30d'];
      const settled = w.events === last;
      last = w.events;
      return settled ? w : undefined;
    }, 30_000, 2_500);
    await stack.stopService('slo-collector');
    stack.spawn('slo-collector');
    const after = await waitFor('the collector back', async () => (await api<Report>('/v1/slo')).status === 200 ? (await report()).overall.degradation_rate.windows['30d'] : undefined, 30_000, 200);
    expect(after.events).toBe(before.events);
    expect(after.value).toBe(before.value);
  });

  it('given a job that reports and then stops, then it is reported stale once its next run plus its grace has passed', async () => {
    const hooksBefore = hooks.received.length;
    for (let i = 0; i < 3; i++) {
      const r = await api<{ name: string; status: string }>('/v1/heartbeats/tick', { method: 'POST', body: { status: 'success' } });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ name: 'tick', status: 'ok' });
      await sleep(1000);
    }
    const stale = await waitFor('the job-stale event', async () => {
      // Silent since boot, it was stale before it first reported: this is the stale report after its last heartbeat.
      const r = await db.query(`SELECT payload FROM events WHERE type = 'slo.job-stale' AND payload->>'job' = 'tick' AND payload->>'lastSeenAt' IS NOT NULL`);
      return r.rowCount ? (r.rows[0].payload as { lastSeenAt: number; expectedBy: number; graceMs: number; at: number }) : undefined;
    }, 20_000, 200);
    // Due at the first expected run (every 2 s) after the last heartbeat, plus 2 s grace; reported after that, not before.
    expect(stale.graceMs).toBe(2000);
    expect(stale.expectedBy - stale.lastSeenAt).toBeLessThanOrEqual(2000 + 2000);
    expect(stale.at).toBeGreaterThan(stale.expectedBy);
    const jobs = (await api<{ jobs: { name: string; status: string }[] }>('/v1/heartbeats')).body.jobs;
    expect(jobs.find((j) => j.name === 'tick')?.status).toBe('stale');
    expect(jobs.find((j) => j.name === 'nightly-report')?.status).toBe('waiting');
    const alert = await waitFor('the stale alert at the webhook', async () => hooks.received.slice(hooksBefore).find((h) => h.type === 'slo.alert-raised' && h.subject.kind === 'job_stale'));

    // A heartbeat brings it back and resolves the alert.
    expect((await api<{ status: string }>('/v1/heartbeats/tick', { method: 'POST', body: { status: 'failure', message: 'disk full' } })).status).toBe(202);
    await waitFor('the stale alert resolved', async () => hooks.received.find((h) => h.type === 'slo.alert-resolved' && h.alertId === alert.alertId));
  });

  it('given a heartbeat for an unknown job or with a bad status, then the answer is an OpenAI-shaped error', async () => {
    const unknown = await api<{ error: { code: string; param: string } }>('/v1/heartbeats/no-such-job', { method: 'POST', body: { status: 'success' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'job_not_found', param: 'job' });
    const bad = await api<{ error: { type: string } }>('/v1/heartbeats/tick', { method: 'POST', body: { status: 'finished' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.type).toBe('invalid_request_error');
  });

  it('given a job registry with an invalid entry, then the collector refuses to start and names the entry', async () => {
    const bad = join(stack.logDir, 'bad-jobs.yaml');
    writeFileSync(bad, 'version: 1\njobs:\n  - name: fine\n    schedule: "0 * * * *"\n    graceSeconds: 60\n  - name: broken-cron\n    schedule: "61 25 * * *"\n    graceSeconds: 60\n');
    const child = stack.spawn('slo-collector', 'slo-collector-bad', { CP_JOBS_FILE: bad });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    const log = readFileSync(join(stack.logDir, 'slo-collector-bad.log'), 'utf8');
    expect(log).toContain('jobs[1] (broken-cron): invalid cron expression');
  });

  it('given a provider that refuses its key, then its breaker opens as misconfigured, which alerts at once, and the alert resolves when the fixed key lets a probe through', async () => {
    const before = hooks.received.length;
    await sim(stack).fault('openai', { type: 'status', status: 401 });
    const r = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'key?' }] });
    expect(r.choices[0].message.content).toBe('echo: key?');
    const alert = await waitFor('the misconfiguration alert at the webhook', async () => hooks.received.slice(before).find((h) => h.type === 'slo.alert-raised' && h.subject.kind === 'breaker_misconfigured' && (h.subject as { key?: string }).key === 'openai/gpt-4o'));
    await sim(stack).clear('openai');
    await sleep(1600);
    expect((await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'fixed' }] })).model).toBe('gpt-4o');
    await waitFor('the misconfiguration alert resolved', async () => hooks.received.find((h) => h.type === 'slo.alert-resolved' && h.alertId === alert.alertId));
  });

  it('given the outage, then the dashboard in Chromium shows the SLO cards with sparklines, the breakers, the failovers, the alerts and the heartbeats', async () => {
    const seen = await openDashboard(stack.gatewayUrl, stack.apiKey, join(stack.logDir, 'dashboard.png'));
    expect(seen.keyInUrl).toBe(false);
    expect(seen.cards).toEqual(['Latency p95', 'Timeout rate', 'Tool success rate', 'Degradation rate', 'Auto-recovery rate']);
    expect(seen.sparklines).toBe(5);
    expect(seen.degradationVerdicts).toContain('30d fail');
    expect(seen.breakers).toEqual(expect.arrayContaining([expect.stringContaining('qwen/qwen3-235b-a22b')]));
    expect(seen.failovers.some((f) => f.includes('qwen/qwen3-235b-a22b'))).toBe(true);
    expect(seen.alerts.some((a) => a.includes('degradation_rate'))).toBe(true);
    expect(seen.jobs.some((j) => j.startsWith('tick'))).toBe(true);
    expect(seen.spend.length).toBeGreaterThan(0);
    expect(seen.audit).toContain('verified');
  });
});
