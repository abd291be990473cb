import { mergeInto, record, type Histogram } from './latency-histogram';
import type { RequestSample } from './request-sample';
import { type TimeScale, usesMinuteSlots, type WindowName } from './slo-settings';

/** The counts of one time slot (a minute or an hour) of one series (a route, or overall). */
export interface SlotCounts {
  /** Requests eligible for latency and timeout rate. */
  n: number;
  latency: Histogram;
  timeouts: number;
  served: number;
  degraded: number;
  toolOk: number;
  toolFailed: number;
}

export function emptyCounts(): SlotCounts {
  return { n: 0, latency: {}, timeouts: 0, served: 0, degraded: 0, toolOk: 0, toolFailed: 0 };
}

function add(c: SlotCounts, s: RequestSample): void {
  if (s.eligible) {
    c.n++;
    record(c.latency, s.latencyMs);
    if (s.timedOut) c.timeouts++;
  }
  if (s.served) c.served++;
  if (s.degraded) c.degraded++;
  c.toolOk += s.toolOk;
  c.toolFailed += s.toolFailed;
}

export function sumInto(into: SlotCounts, from: SlotCounts): void {
  into.n += from.n;
  mergeInto(into.latency, from.latency);
  into.timeouts += from.timeouts;
  into.served += from.served;
  into.degraded += from.degraded;
  into.toolOk += from.toolOk;
  into.toolFailed += from.toolFailed;
}

export interface SlotSeriesState {
  minutes: [number, SlotCounts][];
  hours: [number, SlotCounts][];
}

/**
 * One series' counts in minute slots (kept 6 h) and hour slots (kept 30 days): memory is bounded by
 * the slot count, whatever the traffic. A window sums the slots that overlap it.
 */
export class SlotSeries {
  private minutes = new Map<number, SlotCounts>();
  private hours = new Map<number, SlotCounts>();
  /** Window sums of the last `now` asked, dropped on every change: a report asks each window once per SLO. */
  private sums = new Map<WindowName, { now: number; counts: SlotCounts }>();

  constructor(private readonly time: TimeScale) {}

  add(s: RequestSample): void {
    this.sums.clear();
    add(this.slot(this.minutes, Math.floor(s.at / this.time.minuteMs)), s);
    add(this.slot(this.hours, Math.floor(s.at / this.time.hourMs)), s);
  }

  private slot(map: Map<number, SlotCounts>, index: number): SlotCounts {
    let c = map.get(index);
    if (!c) map.set(index, (c = emptyCounts()));
    return c;
  }

  /** The sum over the slots that overlap `[now - window, now]`. */
  window(w: WindowName, now: number): SlotCounts {
    const cached = this.sums.get(w);
    if (cached?.now === now) return cached.counts;
    const counts = this.sum(w, now);
    this.sums.set(w, { now, counts });
    return counts;
  }

  private sum(w: WindowName, now: number): SlotCounts {
    const [map, width] = usesMinuteSlots(w) ? [this.minutes, this.time.minuteMs] : [this.hours, this.time.hourMs];
    const first = Math.floor((now - this.time.window(w)) / width);
    const last = Math.floor(now / width);
    const sum = emptyCounts();
    for (const [i, c] of map) if (i > first && i <= last) sumInto(sum, c);
    // The slot straddling the window's start counts too: windows are exact to one slot.
    const edge = map.get(first);
    if (edge) sumInto(sum, edge);
    return sum;
  }

  /** The hour slot that starts at `hourIndex * hourMs`. */
  hour(hourIndex: number): SlotCounts {
    return this.hours.get(hourIndex) ?? emptyCounts();
  }

  /** Drops slots older than the longest window each kind serves. */
  prune(now: number): void {
    this.sums.clear();
    const minuteFloor = Math.floor((now - this.time.window('6h')) / this.time.minuteMs) - 1;
    for (const i of this.minutes.keys()) if (i < minuteFloor) this.minutes.delete(i);
    const hourFloor = Math.floor((now - this.time.window('30d')) / this.time.hourMs) - 1;
    for (const i of this.hours.keys()) if (i < hourFloor) this.hours.delete(i);
  }

  get empty(): boolean {
    return this.hours.size === 0;
  }

  toState(): SlotSeriesState {
    return { minutes: [...this.minutes], hours: [...this.hours] };
  }

  static fromState(time: TimeScale, state: SlotSeriesState): SlotSeries {
    const s = new SlotSeries(time);
    s.minutes = new Map(state.minutes);
    s.hours = new Map(state.hours);
    return s;
  }
}
