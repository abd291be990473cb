/**
 * Preloaded into a service (`NODE_OPTIONS=--require .../cpu-profile-preload.js`) by the benchmark's
 * `--cpu-prof` flag: Node 20 does not accept `--cpu-prof` itself in NODE_OPTIONS, and the stack spawns
 * services without extra node flags. Starts the V8 sampling profiler through the in-process inspector
 * and writes `<CP_BENCH_CPU_PROF_DIR>/<service>.<pid>.cpuprofile` when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CP_BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  const intervalUs = Number(process.env.CP_BENCH_CPU_PROF_INTERVAL_US ?? 500);
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  session.post('Profiler.start');
  process.once('exit', () => {
    // The main-thread session answers synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(join(dir, `${process.env.OTEL_SERVICE_NAME ?? 'node'}.${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
