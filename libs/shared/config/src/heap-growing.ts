import { setFlagsFromString } from 'node:v8';

/** The range a service's `*_HEAP_GROWING_PERCENT` setting accepts (its config schema refuses the rest at boot). */
export const HEAP_GROWING_PERCENT_MAX = 300;

/**
 * The value of a `*_HEAP_GROWING_PERCENT` setting as V8's `--heap-growing-percent`, or undefined for
 * V8's own factor: 0, or a value out of range (left alone here and refused at boot by the service's
 * config schema, with its other settings).
 */
export function heapGrowingPercent(name: string, dflt: number, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const percent = Number(env[name] ?? dflt);
  return Number.isInteger(percent) && percent > 0 && percent <= HEAP_GROWING_PERCENT_MAX ? percent : undefined;
}

/**
 * Sets V8's `--heap-growing-percent` from a service's setting: a full GC runs once the old generation
 * has grown that many percent past what the last one kept, instead of V8's own factor (up to 4x).
 * Called by a service's `main` before the rest loads, so that the limits set at start-up already use
 * it. Less memory under load for more full GCs (docs/performance.md, "The auditor's peak memory" and
 * "The gateway's heap growing").
 */
export function applyHeapGrowingPercent(name: string, dflt: number, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const percent = heapGrowingPercent(name, dflt, env);
  if (percent !== undefined) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
