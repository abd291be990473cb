import type { SloActivity } from '@cp/shared/contracts';
import type { RequestSample } from './request-sample';
import type { TimeScale } from './slo-settings';

const RECENT = 50;

type Failover = SloActivity['failovers'][number];
type Repair = SloActivity['repairs'][number];
type AlertEntry = SloActivity['alerts'][number];

export interface ActivityState {
  failovers: Failover[];
  repairs: Repair[];
  alerts: AlertEntry[];
  /** Spend per hour slot: `provider/model` -> [usd, calls]. */
  spend: [number, [string, [number, number]][]][];
}

function pushBounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > RECENT) list.splice(0, list.length - RECENT);
}

/** What the dashboard lists besides the SLOs: the last 50 failovers, repairs and alerts, and spend per model in hour slots (30 days). */
export class ActivityLog {
  private failovers: Failover[] = [];
  private repairs: Repair[] = [];
  private alerts: AlertEntry[] = [];
  private spend = new Map<number, Map<string, [number, number]>>();

  constructor(private readonly time: TimeScale) {}

  addRequest(requestId: string, s: RequestSample, attempts: { provider: string; model: string; outcome: string }[], outcome: string): void {
    if (s.failover) {
      const served = attempts.find((a) => a.outcome === 'ok');
      pushBounded(this.failovers, { requestId, at: s.at, route: s.route, servedBy: served ? `${served.provider}/${served.model}` : null, failed: attempts.filter((a) => a.outcome !== 'ok').map((a) => `${a.provider}/${a.model}`), outcome });
    }
    for (const detail of s.repairs.slice(0, 10)) pushBounded(this.repairs, { requestId, at: s.at, detail: detail.slice(0, 300) });
    if (s.spend.length === 0) return;
    const hour = Math.floor(s.at / this.time.hourMs);
    let slot = this.spend.get(hour);
    if (!slot) this.spend.set(hour, (slot = new Map()));
    for (const sp of s.spend) {
      const key = `${sp.provider}/${sp.model}`;
      const cur = slot.get(key) ?? [0, 0];
      slot.set(key, [Math.round((cur[0] + sp.usd) * 1e9) / 1e9, cur[1] + 1]);
    }
  }

  addAlert(entry: AlertEntry): void {
    pushBounded(this.alerts, entry);
  }

  view(now: number, breakers: SloActivity['breakers']): SloActivity {
    const nowHour = Math.floor(now / this.time.hourMs);
    const totals = new Map<string, { d: number; m: number; calls: number }>();
    for (const [hour, slot] of this.spend) {
      if (hour <= nowHour - 30 * 24) continue;
      for (const [key, [usd, calls]] of slot) {
        const t = totals.get(key) ?? { d: 0, m: 0, calls: 0 };
        t.m += usd;
        if (hour > nowHour - 24) {
          t.d += usd;
          t.calls += calls;
        }
        totals.set(key, t);
      }
    }
    const spend = [...totals].map(([key, t]) => {
      const slash = key.indexOf('/');
      return { provider: key.slice(0, slash), model: key.slice(slash + 1), last24hUsd: Math.round(t.d * 1e6) / 1e6, last30dUsd: Math.round(t.m * 1e6) / 1e6, calls24h: t.calls };
    });
    spend.sort((a, b) => b.last30dUsd - a.last30dUsd || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
    return { failovers: [...this.failovers].reverse(), repairs: [...this.repairs].reverse(), alerts: [...this.alerts].reverse(), spend, breakers };
  }

  prune(now: number): void {
    const floor = Math.floor(now / this.time.hourMs) - 30 * 24 - 1;
    for (const h of this.spend.keys()) if (h < floor) this.spend.delete(h);
  }

  toState(): ActivityState {
    return { failovers: this.failovers, repairs: this.repairs, alerts: this.alerts, spend: [...this.spend].map(([h, m]) => [h, [...m]]) };
  }

  static fromState(time: TimeScale, s: ActivityState): ActivityLog {
    const log = new ActivityLog(time);
    log.failovers = s.failovers;
    log.repairs = s.repairs;
    log.alerts = s.alerts;
    log.spend = new Map(s.spend.map(([h, m]) => [h, new Map(m)]));
    return log;
  }
}
