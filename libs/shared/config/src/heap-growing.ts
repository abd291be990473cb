import { setFlagsFromString } from 'node:v8';
import { z } from 'zod';
import { loadConfig } from './load-config';

/**
 * A service's `*_HEAP_GROWING_PERCENT` setting: V8's `--heap-growing-percent`, 0-300; 0 leaves V8's
 * own factor (up to 4x).
 */
const heapGrowingPercentSetting = (dflt: number) => z.coerce.number().int().min(0).max(300).default(dflt);

/**
 * Reads a service's `*_HEAP_GROWING_PERCENT` (refused like any other bad setting: `ConfigError`) and
 * sets V8's `--heap-growing-percent` from it: a full GC runs once the old generation has grown that
 * many percent past what the last one kept, instead of V8's own factor. Called by a service's `main`
 * before the rest loads, so that the limits set at start-up already use it. Less memory under load
 * for more full GCs (docs/performance.md, "The auditor's peak memory" and "The gateway's heap
 * growing"). Returns the percent (0: nothing set).
 */
export function applyHeapGrowingPercent(name: string, dflt: number, env: NodeJS.ProcessEnv = process.env): number {
  const percent: number = loadConfig(z.object({ [name]: heapGrowingPercentSetting(dflt) }), env)[name];
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
