import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (`getconf CLK_TCK`, 100 on Linux almost everywhere). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of one process in clock ticks, from `/proc/<pid>/stat`; undefined once it is gone. */
export function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses: split after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

/** A field of `/proc/<pid>/status` in kB (VmHWM = peak resident set, VmRSS = current). */
export function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Pids from `pgrep` arguments (empty when nothing matches). */
export function pgrep(...args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** A named group of processes whose CPU is added up (the set of pids is looked up on each sample). */
export interface ProcGroup {
  name: string;
  pids: () => number[];
}

export type CpuSample = Map<string, Map<number, number>>;

export function sampleCpu(groups: ProcGroup[]): CpuSample {
  const out: CpuSample = new Map();
  for (const g of groups) {
    const per = new Map<number, number>();
    for (const pid of g.pids()) {
      const t = cpuTicks(pid);
      if (t !== undefined) per.set(pid, t);
    }
    out.set(g.name, per);
  }
  return out;
}

/**
 * CPU milliseconds each group used between two samples. A pid present only in the second sample
 * (a Postgres backend started during the run) counts with all its ticks; one that vanished counts
 * with nothing after the first sample (its last ticks are lost, which /proc cannot avoid).
 */
export function cpuDeltaMs(before: CpuSample, after: CpuSample): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, per] of after) {
    const prev = before.get(name) ?? new Map<number, number>();
    let ticks = 0;
    for (const [pid, t] of per) ticks += t - (prev.get(pid) ?? 0);
    out[name] = (ticks * 1000) / CLK_TCK;
  }
  return out;
}

/** Machine-wide CPU from the first line of /proc/stat, in ms: busy (all but idle and iowait) and steal. */
export function machineCpuMs(): { busy: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
  const [user, nice, system, , , irq, softirq, steal] = f;
  return { busy: ((user + nice + system + irq + softirq) * 1000) / CLK_TCK, steal: ((steal ?? 0) * 1000) / CLK_TCK };
}
