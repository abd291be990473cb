/**
 * The native stack's supervision: the same processes as the other e2e files, but run by a private
 * supervisord from the configuration infra/scripts/up.sh uses (one generator, infra/supervisor/
 * templates). A service killed with SIGKILL is started again by supervisord, and the stack is
 * healthy again well within 15 s.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_SERVICES, SupervisedStack, waitFor } from '@cp/shared/testing';

const RECOVERY_MS = 15_000;

describe('supervision: a private supervisord restarts a service that dies', () => {
  const stack = new SupervisedStack({ label: 'sup' });

  beforeAll(async () => {
    await stack.start();
  });

  afterAll(async () => {
    await stack.stop();
  });

  /** SIGKILLs the program, waits for supervisord to run a new process, and returns the old and new pid and when the kill happened. */
  const kill = async (program: string) => {
    const before = await stack.pid(program);
    expect(before).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(before, 'SIGKILL');
    const after = await waitFor(`a new ${program} process`, async () => {
      const pid = await stack.pid(program);
      return pid > 0 && pid !== before ? pid : undefined;
    }, RECOVERY_MS, 100);
    return { before, after, killedAt };
  };

  const supervisordLog = () => readFileSync(join(stack.logDir, 'supervisord.log'), 'utf8');

  it('given the stack under supervisord, then every program is RUNNING with the environment from the config and /health is ok', async () => {
    const { stdout } = await stack.ctl('status');
    for (const program of ['provider-sim', ...STACK_SERVICES]) expect(stdout).toMatch(new RegExp(`^${program}\\s+RUNNING\\s+pid \\d+`, 'm'));
    // supervisord itself has only PATH and HOME: the isolated namespace reached the router through the config.
    const env = readFileSync(`/proc/${await stack.pid('router')}/environ`, 'utf8').split('\0');
    expect(env).toEqual(expect.arrayContaining([`CP_NATS_NAMESPACE=${stack.iso.namespace}`, `CP_EVENTS_STREAM=${stack.iso.stream}`, 'OTEL_SERVICE_NAME=router']));
    const health = (await (await fetch(`${stack.gatewayUrl}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
  });

  it.each(['router', 'auditor'])('given %s is killed with SIGKILL, then supervisord starts a new one and /health is ok again within 15 s', async (program) => {
    const { after, killedAt } = await kill(program);
    await stack.waitHealthy(Math.max(1, killedAt + RECOVERY_MS - Date.now()));
    const health = (await (await fetch(`${stack.gatewayUrl}/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as { services: Record<string, { status: string }> };
    expect(health.services[program].status).toBe('up');
    expect(await stack.pid(program)).toBe(after);
    expect(supervisordLog()).toMatch(new RegExp(`exited: ${program} \\(terminated by SIGKILL; not expected\\)`));
  });

  it('given the gateway is killed with SIGKILL, then supervisord starts a new one and its HTTP port answers /health ok again within 15 s', async () => {
    const { killedAt } = await kill('gateway');
    const answered = await waitFor('the gateway port answering /health ok', async () => {
      const res = await fetch(`${stack.gatewayUrl}/health`);
      return res.ok && ((await res.json()) as { status: string }).status === 'ok' ? Date.now() : undefined;
    }, Math.max(1, killedAt + RECOVERY_MS - Date.now()), 100);
    expect(answered - killedAt).toBeLessThan(RECOVERY_MS);
    expect(supervisordLog()).toMatch(/exited: gateway \(terminated by SIGKILL; not expected\)/);
  });

  it('given the restarts, then every program is still supervised and none was given up on', async () => {
    const { stdout } = await stack.ctl('status');
    expect(stdout).not.toMatch(/FATAL|BACKOFF|EXITED/);
    expect(supervisordLog()).not.toMatch(/gave up:/);
  });
});
