import { join, resolve } from 'node:path';
import { renderSupervisorConf, SERVICE_NODE_FLAGS, stackEnv, SUPERVISED_SERVICES, type SupervisorConfInput } from './supervisor-conf';

const ROOT = resolve(__dirname, '../../../..');
const input = (over: Partial<SupervisorConfInput> = {}): SupervisorConfInput => ({
  root: ROOT,
  runDir: '/srv/cp/.run',
  logDir: '/srv/cp/.run/logs',
  nodePath: '/usr/bin/node',
  env: { CP_NATS_URL: 'nats://127.0.0.1:4222', PATH: '/usr/bin:/bin' },
  ...over,
});

/** The [program:x] sections as key -> value maps (supervisor's ini, without comments). */
function programs(conf: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const line of conf.split('\n')) {
    const section = /^\[program:([^\]]+)\]$/.exec(line);
    if (section) out[section[1]] = current = {};
    else if (/^\[/.test(line)) current = undefined;
    else if (current && /^[a-z_]+=/.test(line)) current[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return out;
}

describe('renderSupervisorConf', () => {
  it('given the defaults, then the seven services run from dist/ in start order, restarted always, stopped with SIGTERM, each with its own log', () => {
    const conf = renderSupervisorConf(input());
    const p = programs(conf);
    expect(Object.keys(p)).toEqual([...SUPERVISED_SERVICES]);
    for (const svc of SUPERVISED_SERVICES) {
      expect(p[svc]).toMatchObject({
        command: ['/usr/bin/node', ...SERVICE_NODE_FLAGS[svc], join(ROOT, 'dist/apps', svc, 'src/main.js')].join(' '),
        directory: ROOT,
        autostart: 'true',
        autorestart: 'true',
        stopsignal: 'TERM',
        stdout_logfile: `/srv/cp/.run/logs/${svc}.log`,
        redirect_stderr: 'true',
      });
      // The control plane's young generation is capped; the gateway (request path) and provider-sim keep Node's default.
      expect(p[svc].command.includes('--max-semi-space-size=4')).toBe(!['gateway', 'provider-sim'].includes(svc));
      expect(Number(p[svc].startsecs)).toBeGreaterThan(0);
      expect(Number(p[svc].startretries)).toBeGreaterThan(0);
      expect(Number(p[svc].stopwaitsecs)).toBeGreaterThanOrEqual(10);
    }
    expect(Number(p['provider-sim'].priority)).toBeLessThan(Number(p.router.priority));
    expect(Number(p.router.priority)).toBeLessThan(Number(p.gateway.priority));
    expect(conf).toContain('file=/srv/cp/.run/supervisor.sock');
    expect(conf).toContain('serverurl=unix:///srv/cp/.run/supervisor.sock');
    expect(conf).toContain('pidfile=/srv/cp/.run/supervisord.pid');
    expect(conf).toContain('logfile=/srv/cp/.run/logs/supervisord.log');
    expect(conf).not.toMatch(/\{\{/);
  });

  it('given shared and per-program variables, then each program gets both, its own OTEL_SERVICE_NAME, and % doubled', () => {
    const conf = renderSupervisorConf(input({
      env: { CP_GATEWAY_KEYS: 'sk-a,sk-b%', PATH: '/usr/bin' },
      programs: [{ name: 'router', service: 'router', env: { CP_LOG_LEVEL: 'debug' } }, { name: 'router-2', service: 'router' }],
    }));
    const p = programs(conf);
    expect(p.router.environment).toBe('CP_GATEWAY_KEYS="sk-a,sk-b%%",PATH="/usr/bin",CP_LOG_LEVEL="debug",OTEL_SERVICE_NAME="router"');
    expect(p['router-2'].environment).toBe('CP_GATEWAY_KEYS="sk-a,sk-b%%",PATH="/usr/bin",OTEL_SERVICE_NAME="router"');
    expect(p['router-2'].stdout_logfile).toBe('/srv/cp/.run/logs/router-2.log');
  });

  it('given a value with a double quote, then it is single-quoted', () => {
    expect(programs(renderSupervisorConf(input({ env: { CP_X: 'a"b' } }))).router.environment).toContain(`CP_X='a"b'`);
  });

  it('given a path with a space, then the command quotes it', () => {
    expect(programs(renderSupervisorConf(input({ nodePath: '/opt/my node/bin/node' }))).router.command).toMatch(/^'\/opt\/my node\/bin\/node' /);
  });

  it('given values supervisor cannot carry intact, then it refuses them by name, never by value', () => {
    for (const bad of ['a\nb', '"quoted"', `a'b"c`, 'x ;y', 'x #y']) {
      expect(() => renderSupervisorConf(input({ env: { CP_SECRET: bad } }))).toThrow(/environment CP_SECRET/);
      try { renderSupervisorConf(input({ env: { CP_SECRET: bad } })); } catch (err) { expect((err as Error).message).not.toContain(bad); }
    }
  });

  it('given a run dir too deep for a unix socket, a bad or repeated program name, then it is refused', () => {
    expect(() => renderSupervisorConf(input({ runDir: `/${'d'.repeat(120)}` }))).toThrow(/too long/);
    expect(() => renderSupervisorConf(input({ programs: [{ name: 'Router', service: 'router' }] }))).toThrow(/program name/);
    expect(() => renderSupervisorConf(input({ programs: [{ name: 'router', service: 'router' }, { name: 'router', service: 'router' }] }))).toThrow(/twice/);
  });
});

describe('stackEnv', () => {
  it('given a process environment, then only what the services read is kept: CP_*, OTEL_*, NODE_*, provider keys, PATH and HOME', () => {
    expect(stackEnv({ CP_NATS_URL: 'n', OTEL_EXPORTER_OTLP_ENDPOINT: 'o', OPENAI_API_KEY: 'k', NODE_ENV: 'production', PATH: '/bin', HOME: '/root', SSH_AUTH_SOCK: 's', JEST_WORKER_ID: '1', cp_lower: 'x' }))
      .toEqual({ CP_NATS_URL: 'n', HOME: '/root', NODE_ENV: 'production', OPENAI_API_KEY: 'k', OTEL_EXPORTER_OTLP_ENDPOINT: 'o', PATH: '/bin' });
  });
});
