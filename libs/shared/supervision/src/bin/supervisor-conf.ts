/**
 * Prints the supervisord configuration of the native stack (infra/scripts/up.sh writes it to
 * .run/supervisord.conf). Usage: node supervisor-conf.js <run-dir>
 * The control socket and pidfile go in <run-dir>, the logs in <run-dir>/logs; every program gets
 * the stack's variables from this process's environment (see stackEnv) and runs with this node.
 */
import { resolve } from 'node:path';
import { processEnvironment } from '@cp/shared/config';
import { renderSupervisorConf, stackEnv } from '../supervisor-conf';

const runDir = process.argv[2];
if (!runDir) {
  process.stderr.write('usage: supervisor-conf <run-dir>\n');
  process.exit(2);
}
try {
  const run = resolve(runDir);
  // dist/libs/shared/supervision/src/bin -> the repository root
  const root = resolve(__dirname, '../../../../../..');
  process.stdout.write(renderSupervisorConf({ root, runDir: run, logDir: resolve(run, 'logs'), nodePath: process.execPath, env: stackEnv(processEnvironment()) }));
} catch (err) {
  process.stderr.write(`supervisor-conf: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
