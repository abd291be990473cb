import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * Summarises a V8 `.cpuprofile` (as written by `node --cpu-prof`): where the sampled CPU time went,
 * by package or source area (self time and time with that area anywhere on the stack) and by
 * function. Usable on its own: `node dist/test-e2e/bench/cpuprofile-summary.js <file.cpuprofile>...`.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Sampled wall time of the profile, ms. */
  totalMs: number;
  /** Time the thread was busy (not `(idle)`), ms. */
  busyMs: number;
  /** Self time by area, ms, busy time only, largest first. */
  selfByArea: [string, number][];
  /** Time with the area anywhere on the stack, ms, largest first. */
  inclusiveByArea: [string, number][];
  /** Self time by function, ms, largest first. */
  selfByFunction: [string, number][];
}

/** The package or source area a frame belongs to. */
export function areaOf(frame: CallFrame, root = process.cwd()): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (idle) (program) (garbage collector) (root)
    if (/^(parse|stringify)$/.test(functionName)) return 'JSON (V8 builtin)';
    // Stream-handle methods of node's C++ layer: the time of the read/write system calls themselves.
    if (/^(writeBuffer|writev|write(Utf8|Latin1|Ascii|Ucs2)String|readStart|readStop|shutdown)$/.test(functionName)) return 'native: socket write/read syscalls';
    return 'V8 builtins / native (other)';
  }
  if (url.startsWith('wasm:')) return 'wasm (undici llhttp)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) {
    const p = url.slice(5);
    if (/^(net|internal\/(stream_base_commons|net|js_stream_socket)|stream|internal\/streams)/.test(p)) return 'node core: net/streams';
    if (/^(_http|http|internal\/http)/.test(p)) return 'node core: http';
    if (/^(internal\/(timers|process\/task_queues|async_hooks|process\/promises)|timers|async_hooks)/.test(p)) return 'node core: timers/microtasks/async_hooks';
    if (/^(events|internal\/events)/.test(p)) return 'node core: events';
    if (/^(buffer|internal\/buffer|internal\/util|util|string_decoder|internal\/encoding)/.test(p)) return 'node core: buffer/util/encoding';
    if (/^(crypto|internal\/crypto)/.test(p)) return 'node core: crypto';
    return 'node core: other';
  }
  const path = url.startsWith('file://') ? url.slice(7) : url;
  const rel = relative(root, path);
  const m = /^dist\/((?:libs\/[^/]+\/[^/]+)|(?:apps\/[^/]+))\//.exec(rel);
  return m ? `app: ${m[1]}` : `other: ${rel}`;
}

/**
 * `windows`: only samples whose timestamp lies in one of these [from, to] intervals count, in µs of the
 * monotonic clock (V8 profile timestamps and `process.hrtime` both read CLOCK_MONOTONIC on Linux).
 */
export function summariseProfile(file: string, root = process.cwd(), windows?: [number, number][]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const areaMemo = new Map<number, string>();
  const area = (id: number) => {
    let a = areaMemo.get(id);
    if (a === undefined) areaMemo.set(id, (a = areaOf(byId.get(id)!.callFrame, root)));
    return a;
  };
  const stackAreas = new Map<number, Set<string>>();
  const areasOnStack = (id: number): Set<string> => {
    const cached = stackAreas.get(id);
    if (cached) return cached;
    const p = parent.get(id);
    const set = new Set(p === undefined ? [] : areasOnStack(p));
    set.add(area(id));
    stackAreas.set(id, set);
    return set;
  };

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const fn = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let ts = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    ts += profile.timeDeltas[i];
    // A sample's time is the gap to the next sample (the last one gets the mean gap).
    const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : (profile.endTime - profile.startTime) / profile.samples.length;
    if (dt <= 0) continue;
    if (windows && !windows.some(([from, to]) => ts >= from && ts <= to)) continue;
    const id = profile.samples[i];
    const node = byId.get(id)!;
    totalUs += dt;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += dt;
      continue;
    }
    add(self, area(id), dt);
    for (const a of areasOnStack(id)) add(inclusive, a, dt);
    const f = node.callFrame;
    const where = f.url ? `${relative(root, f.url.replace(/^file:\/\//, '')).replace(/^.*node_modules\//, '')}:${f.lineNumber + 1}` : '';
    add(fn, `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`, dt);
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].map(([k, v]) => [k, v / 1000] as [string, number]).sort((a, b) => b[1] - a[1]);
  return {
    file,
    totalMs: totalUs / 1000,
    busyMs: (totalUs - idleUs) / 1000,
    selfByArea: sorted(self),
    inclusiveByArea: sorted(inclusive).filter(([k]) => k !== '(root)'),
    selfByFunction: sorted(fn),
  };
}

/** Areas that are on nearly every stack (event-loop plumbing) and say nothing in the inclusive view. */
const UNINFORMATIVE = new Set(['node core: timers/microtasks/async_hooks', 'V8 builtins / native (other)', 'node core: net/streams', 'node core: events']);

/**
 * `cpuMs`: the process's CPU time from /proc over the same windows. The sampler sees wall time on the
 * JS thread, so on an oversubscribed machine "busy" also counts time the thread was runnable but not
 * running (often right after a write woke the reader): compare the two before reading percentages.
 */
export function formatSummary(s: ProfileSummary, top = 15, cpuMs?: number): string {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1).padStart(5)} %`;
  const cpu = cpuMs === undefined ? '' : `; process CPU from /proc in the same windows: ${cpuMs.toFixed(0)} ms`;
  const lines = [`${s.file}: ${s.busyMs.toFixed(0)} ms busy (JS thread, sampled) of ${s.totalMs.toFixed(0)} ms${cpu}`];
  lines.push('  self time by area (share of busy time):');
  for (const [k, v] of s.selfByArea.slice(0, top)) lines.push(`    ${pct(v)}  ${k}`);
  lines.push('  time with the area anywhere on the stack (inclusive; event-loop plumbing left out):');
  for (const [k, v] of s.inclusiveByArea.filter(([a]) => !UNINFORMATIVE.has(a)).slice(0, top)) lines.push(`    ${pct(v)}  ${k}`);
  lines.push('  top functions by self time:');
  for (const [k, v] of s.selfByFunction.slice(0, top + 5)) lines.push(`    ${pct(v)}  ${k}`);
  return lines.join('\n');
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: cpuprofile-summary <file.cpuprofile>...\n');
    process.exit(2);
  }
  for (const f of files) process.stdout.write(formatSummary(summariseProfile(f)) + '\n\n');
}
