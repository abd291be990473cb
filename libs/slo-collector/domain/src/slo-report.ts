import { SLO_NAMES, SLO_WINDOWS, type SloName, type SloReport, type SloSeriesView } from '@cp/shared/contracts';
import { OVERALL, type SloProjection } from './slo-projection';
import { budgetLeft } from './slo-values';

function seriesView(p: SloProjection, route: string, slo: SloName, now: number, hours: number): SloSeriesView {
  const windows = Object.fromEntries(SLO_WINDOWS.map((w) => [w, p.value(route, slo, w, now)])) as SloSeriesView['windows'];
  const hourMs = p.settings.time.hourMs;
  const current = Math.floor(now / hourMs);
  const hourly = [];
  for (let h = current - hours + 1; h <= current; h++) {
    const v = p.hourValue(route, slo, h, now);
    hourly.push({ hourStart: h * hourMs, value: v.value, events: v.events });
  }
  return { windows, budgetLeft: budgetLeft(windows['30d']), hourly };
}

function allSlos(p: SloProjection, route: string, now: number, hours: number): Record<SloName, SloSeriesView> {
  return Object.fromEntries(SLO_NAMES.map((slo) => [slo, seriesView(p, route, slo, now, hours)])) as Record<SloName, SloSeriesView>;
}

/** `GET /v1/slo`: every SLO over every window, overall and per route (or one route), with `hours` of hourly history. */
export function buildReport(p: SloProjection, now: number, hours = 24, route?: string): SloReport {
  const t = p.settings.time;
  const routes = route === undefined ? p.routes() : p.routes().filter((r) => r === route);
  return {
    generatedAt: now,
    timeScale: t.scale,
    windowMs: Object.fromEntries(SLO_WINDOWS.map((w) => [w, t.window(w)])) as SloReport['windowMs'],
    hourMs: t.hourMs,
    targets: p.settings.targets,
    overall: allSlos(p, OVERALL, now, hours),
    routes: Object.fromEntries(routes.map((r) => [r, allSlos(p, r, now, hours)])),
    activeAlerts: [...p.alerts.values()].flatMap((a) => (a.raised ? [a.raised] : [])),
  };
}

/** The hourly snapshot event's payload for the hour slot `hourIndex`. */
export function snapshotOf(p: SloProjection, hourIndex: number, now: number) {
  const hourMs = p.settings.time.hourMs;
  return {
    hourStart: hourIndex * hourMs,
    hourEnd: (hourIndex + 1) * hourMs,
    timeScale: p.settings.time.scale,
    overall: p.hourValues(OVERALL, hourIndex, now),
    routes: Object.fromEntries(p.routes().map((r) => [r, p.hourValues(r, hourIndex, now)])),
  };
}
