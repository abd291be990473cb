#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CliConfigSchema, loadConfig } from '@cp/shared/config';

/** cpctl: operator commands against the gateway (`CP_GATEWAY_URL`, key from `CP_API_KEY` or `.run/gateway.key`). */
const config = loadConfig(CliConfigSchema);
const program = new Command('cpctl').description('operate the agent control plane').option('--url <url>', 'gateway URL', config.CP_GATEWAY_URL);

function apiKey(): string {
  if (config.CP_API_KEY) return config.CP_API_KEY;
  try {
    return readFileSync('.run/gateway.key', 'utf8').trim();
  } catch {
    throw new Error('no API key: set CP_API_KEY');
  }
}

async function call(path: string, auth: boolean): Promise<unknown> {
  const res = await fetch(`${program.opts<{ url: string }>().url}${path}`, { headers: auth ? { authorization: `Bearer ${apiKey()}` } : {} });
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body;
}

const print = (v: unknown): void => void process.stdout.write(JSON.stringify(v, null, 2) + '\n');

program
  .command('status')
  .description('health, version and git sha of every service')
  .action(async () => {
    print(await call('/health', false));
  });

program
  .command('audit')
  .description('audit log commands')
  .command('verify')
  .description('recompute the event store hash chain')
  .action(async () => {
    const r = (await call('/v1/audit/verify', true)) as { ok: boolean };
    print(r);
    if (!r.ok) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`cpctl: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
