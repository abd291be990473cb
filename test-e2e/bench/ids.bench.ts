/**
 * `node dist/test-e2e/bench/ids.bench.js`: what one id costs, `uuidv7()` (the package) against
 * `newId()` (libs/shared/contracts/src/ids.ts), timed in alternating rounds in one process after a
 * warm-up. Prints nanoseconds per call; figures only, no pass/fail (docs/performance.md).
 */
import { newId } from '@cp/shared/contracts';
import { uuidv7 } from 'uuidv7';

const CALLS = 1_000_000;
const ROUNDS = 5;

function nsPerCall(make: () => string): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sink += make().length;
  const ns = Number(process.hrtime.bigint() - t0) / CALLS;
  if (sink !== CALLS * 36) throw new Error('an id was not 36 characters long');
  return ns;
}

const contenders: [string, () => string][] = [
  ['uuidv7()', uuidv7],
  ['newId()', newId],
];
for (const [, make] of contenders) nsPerCall(make);
const samples = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
for (let r = 0; r < ROUNDS; r++) for (const [name, make] of contenders) samples.get(name)!.push(nsPerCall(make));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`ids: ${CALLS.toLocaleString('en')} calls x ${ROUNDS} rounds, alternating; node ${process.version}`);
for (const [name, xs] of samples) console.log(`${name.padEnd(10)} median ${median(xs).toFixed(0)} ns/call  (rounds: ${xs.map((x) => x.toFixed(0)).join(', ')})`);
