import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SOCKET_PATH, renderSupervisorConf, socketPath, type SupervisedProgram } from '@cp/shared/supervision';
import { dropIsolation } from './isolation';
import { waitFor } from './ports';
import { REPO_ROOT, Stack, STACK_SERVICES } from './stack';

/** What supervisorctl printed, and its exit code (it exits non-zero when, say, a program is not RUNNING). */
export interface CtlResult {
  code: number;
  stdout: string;
}

/**
 * The same stack as `Stack` (same isolation, ports and environment), but its processes run under a
 * private supervisord with the configuration that `infra/scripts/up.sh` uses, rendered by the same
 * generator (`@cp/shared/supervision`) from `infra/supervisor/`. supervisord runs in the foreground
 * as a child of the test (`-n`) with only PATH and HOME: everything the services get comes from the
 * configuration. Logs: `.run/test-logs/<run>/` (`supervisord.log` and one per program).
 */
export class SupervisedStack extends Stack {
  confPath = '';
  private runDir = '';
  private tmpRunDir = false;
  private supervisord?: ChildProcess;
  private exited?: Promise<void>;
  private readonly killOnExit = () => this.supervisord?.kill('SIGTERM');

  /** Starts the stack; on failure supervisord is shut down again before the error is thrown. */
  override async start(): Promise<this> {
    try {
      await super.start();
      await this.waitRunning();
      return this;
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  protected override async launch(): Promise<void> {
    this.runDir = this.logDir;
    if (Buffer.byteLength(socketPath(this.runDir)) > MAX_SOCKET_PATH) {
      this.runDir = mkdtempSync(join(tmpdir(), 'cp-sup-'));
      this.tmpRunDir = true;
    }
    const services = [...(this.opts.withoutSim ? [] : (['provider-sim'] as const)), ...STACK_SERVICES];
    const programs: SupervisedProgram[] = services.map((service) => ({ name: service, service, env: this.opts.serviceEnv?.[service] }));
    this.confPath = join(this.runDir, 'supervisord.conf');
    const conf = renderSupervisorConf({ root: REPO_ROOT, runDir: this.runDir, logDir: this.logDir, nodePath: process.execPath, env: this.env, programs, identifier: `cp-${this.iso.runId}` });
    writeFileSync(this.confPath, conf, { mode: 0o600 });

    const out = createWriteStream(join(this.logDir, 'supervisord.out'), { flags: 'a' });
    const child = spawn('supervisord', ['-n', '-c', this.confPath], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    this.supervisord = child;
    this.exited = new Promise<void>((resolve) => child.once('close', () => { out.end(); resolve(); }));
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`cannot run supervisord (setup-native.sh installs it): ${err.message}`)));
      child.once('exit', (code) => reject(new Error(`supervisord exited with ${code}; see ${join(this.logDir, 'supervisord.out')}`)));
    });
    failed.catch(() => undefined);
    process.once('exit', this.killOnExit);
    await Promise.race([failed, waitFor('supervisord on its socket', async () => (/^\d+$/.test((await this.ctl('pid')).stdout.trim()) ? true : undefined), 15_000, 200)]);
  }

  /**
   * Waits until supervisord reports every program RUNNING. A service answers /health before
   * supervisord counts it as started (it must stay up `startsecs`, 5 s, first), so a stack that is
   * healthy can still show STARTING for a few seconds.
   */
  async waitRunning(timeoutMs = 30_000): Promise<void> {
    const programs = [...(this.opts.withoutSim ? [] : ['provider-sim']), ...STACK_SERVICES];
    let last = '';
    await waitFor('every program RUNNING under supervisord', async () => {
      last = (await this.ctl('status')).stdout;
      return programs.every((program) => new RegExp(`^${program}\\s+RUNNING\\s`, 'm').test(last)) ? true : undefined;
    }, timeoutMs, 250).catch((err: Error) => {
      throw new Error(`${err.message}; supervisorctl status:\n${last}`);
    });
  }

  /** Runs `supervisorctl -c <this stack's config> ...args`. */
  ctl(...args: string[]): Promise<CtlResult> {
    return new Promise((resolve, reject) => {
      execFile('supervisorctl', ['-c', this.confPath, ...args], { timeout: 60_000 }, (err, stdout) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? Number(err.code) : 0, stdout });
      });
    });
  }

  /** The pid supervisord has for a program; 0 when it is not running. */
  async pid(program: string): Promise<number> {
    const { stdout } = await this.ctl('pid', program);
    const pid = Number(stdout.trim());
    if (!Number.isInteger(pid)) throw new Error(`supervisorctl pid ${program}: ${stdout.trim()}`);
    return pid;
  }

  /** Stops one program through supervisord (SIGTERM, as configured); it stays stopped. */
  override async stopService(program: string): Promise<number | null> {
    await this.ctl('stop', program);
    return null;
  }

  /** `supervisorctl shutdown` (every program gets SIGTERM), then drops the run's database and stream. */
  override async stop(): Promise<void> {
    const child = this.supervisord;
    if (child && child.exitCode === null && child.signalCode === null) {
      await this.ctl('shutdown').catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([this.exited!.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 60_000); })]);
      clearTimeout(timer);
      if (!gone) {
        child.kill('SIGKILL');
        await this.exited;
      }
    }
    process.removeListener('exit', this.killOnExit);
    this.supervisord = undefined;
    if (this.tmpRunDir) rmSync(this.runDir, { recursive: true, force: true });
    await dropIsolation(this.iso).catch(() => undefined);
  }
}
