import { z } from 'zod';
import { loadConfig, port } from '@cp/shared/config';
import { startProviderSim } from '@cp/provider-sim/server';

const SimConfig = z.object({
  CP_SIM_HOST: z.string().min(1).default('127.0.0.1'),
  CP_SIM_PORT: port(9900),
});

function logLine(level: 'info' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  const stream = level === 'error' ? process.stderr : process.stdout;
  stream.write(`${JSON.stringify({ level, msg, ...fields })}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig(SimConfig);
  const sim = await startProviderSim({ host: config.CP_SIM_HOST, port: config.CP_SIM_PORT });
  logLine('info', 'provider-sim listening', { url: sim.url });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => {
        process.exitCode = 0;
      },
      (err: unknown) => {
        logLine('error', 'provider-sim failed to stop cleanly', { signal, err: String(err) });
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  logLine('error', 'provider-sim failed to start', { err: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
