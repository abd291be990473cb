/**
 * Static checks of docker-compose.yml, the Dockerfile and .dockerignore. There is no Docker engine
 * on the build machines, so these rules are what keeps the container topology honest: the service
 * set, what is published, health-gated start order, env wiring and secret hygiene.
 * Each rule is a function returning violations; the last block feeds them broken input to show
 * that they do fail.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { serviceArgv } from '@cp/shared/supervision';

const ROOT = join(__dirname, '..', '..');
const APPS = ['gateway', 'router', 'tool-governor', 'memory-plane', 'slo-collector', 'auditor', 'provider-sim'] as const;
const INFRA = ['nats', 'postgres', 'jaeger'] as const;
const DB_USERS = ['auditor', 'memory-plane', 'slo-collector'] as const;
const NATS_ONLY = ['router', 'tool-governor', 'memory-plane', 'slo-collector', 'auditor'] as const;
// The key variables the gateway and the router read are named in the provider registry: compose must pass each through.
const PROVIDER_KEYS = (parse(readFileSync(join(ROOT, 'config/providers.yaml'), 'utf8')) as { providers: { apiKeyEnv: string }[] }).providers.map((p) => p.apiKeyEnv);
const PUBLISHED = { gateway: ['127.0.0.1:8080:8080'], jaeger: ['127.0.0.1:16686:16686'] } as Record<string, string[]>;

interface Service {
  image?: string;
  build?: string | { context?: string; args?: Record<string, string> };
  command?: string | string[];
  ports?: Array<string | { host_ip?: string; published?: string | number; target?: number }>;
  environment?: Record<string, string | number | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  [key: string]: unknown;
}
interface Compose { services: Record<string, Service>; volumes?: Record<string, unknown> }

function loadCompose(text: string): Compose {
  // merge: true resolves `<<:` keys the way docker compose does.
  return parse(text, { merge: true }) as Compose;
}

function envOf(svc: Service): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((kv) => { const i = kv.indexOf('='); return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)]; }));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

function argv(cmd: string | string[] | undefined): string[] {
  if (cmd === undefined) return [];
  return Array.isArray(cmd) ? cmd : cmd.trim().split(/\s+/);
}

function portViolations(c: Compose): string[] {
  const out: string[] = [];
  for (const [name, svc] of Object.entries(c.services)) {
    const ports = svc.ports ?? [];
    if (ports.length > 0 && !(name in PUBLISHED)) out.push(`${name} publishes ports but must not`);
    for (const p of ports) {
      if (typeof p !== 'string') { out.push(`${name}: use the short "127.0.0.1:host:container" form`); continue; }
      if (!p.startsWith('127.0.0.1:')) out.push(`${name}: ${p} is not bound to 127.0.0.1`);
    }
    if (name in PUBLISHED && JSON.stringify(ports) !== JSON.stringify(PUBLISHED[name])) out.push(`${name}: expected ports ${PUBLISHED[name].join(', ')}`);
  }
  return out;
}

function healthcheckViolations(c: Compose): string[] {
  return Object.entries(c.services)
    .filter(([, svc]) => !svc.healthcheck || svc.healthcheck.disable === true || argv(svc.healthcheck.test).length < 2)
    .map(([name]) => `${name} has no usable healthcheck`);
}

/** Compose's supervision: a service that dies is started again by the Docker daemon, which doubles the delay between restarts. */
const RESTART_POLICIES = ['unless-stopped', 'always', 'on-failure'];
function restartViolations(c: Compose): string[] {
  return Object.entries(c.services)
    .filter(([, svc]) => !RESTART_POLICIES.includes(String(svc.restart ?? '').replace(/:\d+$/, '')))
    .map(([name, svc]) => `${name}: restart is ${svc.restart === undefined ? 'missing' : `"${String(svc.restart)}"`}, must be unless-stopped, always or on-failure`);
}

function dependsOnViolations(c: Compose): string[] {
  const out: string[] = [];
  for (const [name, svc] of Object.entries(c.services)) {
    const deps = svc.depends_on;
    if (deps === undefined) continue;
    if (Array.isArray(deps)) { out.push(`${name}: depends_on must use the long form with a condition`); continue; }
    for (const [dep, spec] of Object.entries(deps)) {
      if (!(dep in c.services)) out.push(`${name} depends on unknown service ${dep}`);
      if (!spec?.condition) out.push(`${name} -> ${dep} has no condition`);
      else if (dep !== 'jaeger' && spec.condition !== 'service_healthy') out.push(`${name} -> ${dep} must wait for service_healthy`);
      else if (dep === 'jaeger' && spec.condition !== 'service_started') out.push(`${name} -> jaeger must be service_started (traces are best effort)`);
    }
  }
  return out;
}

/** Provider keys may only be passed through from the host (`${KEY:-}`), never written down. */
function secretViolations(c: Compose): string[] {
  const out: string[] = [];
  for (const [name, svc] of Object.entries(c.services)) {
    for (const [k, v] of Object.entries(envOf(svc))) {
      if (/_API_KEY$/.test(k) && v !== `\${${k}:-}`) out.push(`${name}: ${k} must be \${${k}:-}, got "${v}"`);
      const literal = v.replace(/\$\{[^}]*\}/g, '');
      if (/\b(sk|sk-ant|AIza|pk)[-_][A-Za-z0-9_-]{20,}/.test(literal)) out.push(`${name}: ${k} looks like a hard-coded key`);
    }
  }
  return out;
}

function commandViolations(c: Compose): string[] {
  return APPS.flatMap((app) => {
    const cmd = argv(c.services[app]?.command);
    // The flags of SERVICE_NODE_FLAGS too, as every other way of starting the stack passes them.
    const expected = ['node', ...serviceArgv('', app)];
    return JSON.stringify(cmd) === JSON.stringify(expected) ? [] : [`${app}: command ${JSON.stringify(cmd)} should be ${JSON.stringify(expected)}`];
  });
}

interface Instruction { op: string; args: string }
function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => { const m = /^(\S+)\s*(.*)$/.exec(l) as RegExpExecArray; return { op: m[1].toUpperCase(), args: m[2] }; });
}
function finalStage(ins: Instruction[]): Instruction[] {
  const lastFrom = ins.map((i) => i.op).lastIndexOf('FROM');
  return ins.slice(lastFrom);
}
function dockerfileViolations(text: string): string[] {
  const ins = parseDockerfile(text);
  const out: string[] = [];
  const froms = ins.filter((i) => i.op === 'FROM');
  if (froms.length < 2) out.push('needs a multi-stage build');
  const runtime = finalStage(ins);
  if (!/^node:22[\w.-]*(\s|$)/.test(runtime[0]?.args ?? '')) out.push(`runtime stage must be FROM node:22*, got "${runtime[0]?.args}"`);
  const user = runtime.filter((i) => i.op === 'USER').pop()?.args.split(':')[0];
  if (!user || user === 'root' || user === '0') out.push('runtime stage must switch to a non-root USER');
  if (!runtime.some((i) => i.op === 'ENV' && /NODE_ENV[= ]production/.test(i.args))) out.push('runtime stage must set NODE_ENV=production');
  if (!runtime.some((i) => i.op === 'ARG' && /^GIT_SHA\b/.test(i.args))) out.push('runtime stage must declare ARG GIT_SHA');
  if (!runtime.some((i) => i.op === 'ENV' && /CP_GIT_SHA[= ]\$\{?GIT_SHA\}?/.test(i.args))) out.push('runtime stage must set CP_GIT_SHA from GIT_SHA');
  for (const what of ['dist', 'node_modules', 'package.json', 'config']) {
    if (!runtime.some((i) => i.op === 'COPY' && /--from=/.test(i.args) && new RegExp(`/app/${what}\\b`).test(i.args))) out.push(`runtime stage must copy ${what} from the build stage`);
  }
  const cmd = runtime.filter((i) => i.op === 'CMD').pop()?.args ?? '';
  if (!cmd.includes('dist/apps/gateway/src/main.js')) out.push('default CMD must run the gateway');
  const runs = ins.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
  for (const step of ['npm ci', 'npm run build', 'npm prune --omit=dev']) if (!runs.includes(step)) out.push(`missing RUN ${step}`);
  return out;
}

const compose = loadCompose(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim());

describe('docker-compose.yml', () => {
  it('given the file, then the services are exactly the seven apps plus nats, postgres and jaeger', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...APPS, ...INFRA].sort());
  });

  it('then only gateway:8080 and jaeger:16686 are published, both on 127.0.0.1', () => {
    expect(portViolations(compose)).toEqual([]);
  });

  it('then every service, jaeger included, has a healthcheck', () => {
    expect(healthcheckViolations(compose)).toEqual([]);
  });

  it('then every service, infrastructure included, has a restart policy that starts it again when it dies', () => {
    expect(restartViolations(compose)).toEqual([]);
  });

  it('then every depends_on waits on a condition: healthy for peers, started for jaeger', () => {
    expect(dependsOnViolations(compose)).toEqual([]);
  });

  it('then the start order follows the dependency graph', () => {
    const deps = (s: string) => Object.keys((compose.services[s].depends_on ?? {}) as Record<string, unknown>);
    for (const app of APPS) expect(deps(app)).toEqual(expect.arrayContaining(['nats', 'jaeger']));
    for (const app of DB_USERS) expect(deps(app)).toContain('postgres');
    expect(deps('router')).toContain('provider-sim');
    expect(deps('gateway')).toEqual(expect.arrayContaining(['provider-sim', 'router', 'auditor']));
    for (const app of APPS.filter((a) => !(DB_USERS as readonly string[]).includes(a))) expect(deps(app)).not.toContain('postgres');
  });

  it('then each app runs node dist/apps/<its own name>/src/main.js from the shared image', () => {
    expect(commandViolations(compose)).toEqual([]);
    for (const app of APPS) {
      const svc = compose.services[app];
      expect(svc.image).toBe('agent-control-plane:local');
      expect(typeof svc.build === 'string' ? svc.build : svc.build?.context).toBe('.');
      expect(svc.init).toBe(true);
      expect(svc.restart).toBe('unless-stopped');
      expect(svc.stop_grace_period).toEqual(expect.stringMatching(/^\d+s$/));
    }
  });

  it('then each app reaches NATS and exports traces to jaeger over OTLP/HTTP under its own name', () => {
    for (const app of APPS) {
      expect(envOf(compose.services[app])).toEqual(expect.objectContaining({
        CP_NATS_URL: 'nats://nats:4222',
        CP_EVENTS_STREAM: 'CP_EVENTS',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_SERVICE_NAME: app,
      }));
    }
  });

  it('then the Postgres users, and only they, get CP_DATABASE_URL pointing at the postgres service', () => {
    for (const app of APPS) {
      const url = envOf(compose.services[app]).CP_DATABASE_URL;
      if ((DB_USERS as readonly string[]).includes(app)) expect(url).toBe('postgresql://postgres:postgres@postgres:5432/control_plane');
      else expect(url).toBeUndefined();
    }
  });

  it('then the gateway listens on 0.0.0.0:8080 with keys from the host env and a dev default', () => {
    expect(envOf(compose.services.gateway)).toEqual(expect.objectContaining({
      CP_GATEWAY_HOST: '0.0.0.0',
      CP_GATEWAY_PORT: '8080',
      CP_GATEWAY_KEYS: expect.stringMatching(/^\$\{CP_GATEWAY_KEYS:-[^}]+\}$/),
    }));
  });

  it.each(['gateway', 'router'])('then the %s knows provider-sim, the providers file and all provider keys, passed through empty', (service) => {
    const env = envOf(compose.services[service]);
    expect(env.CP_PROVIDER_SIM_URL).toBe('http://provider-sim:9900');
    expect(env.CP_PROVIDERS_FILE).toBe('/app/config/providers.yaml');
    for (const key of PROVIDER_KEYS) expect(env[key]).toBe(`\${${key}:-}`);
    expect(secretViolations(compose)).toEqual([]);
  });

  it('then the HTTP services are probed over HTTP and the NATS-only ones with the health probe', () => {
    const test = (s: string) => argv(compose.services[s].healthcheck?.test).join(' ');
    expect(test('gateway')).toContain("fetch('http://127.0.0.1:8080/health')");
    expect(test('provider-sim')).toContain("fetch('http://127.0.0.1:9900/health')");
    for (const s of NATS_ONLY) expect(test(s)).toBe(`CMD node dist/libs/shared/messaging/src/bin/health-probe.js ${s}`);
  });

  it('then nats runs JetStream on a named volume with monitoring for its healthcheck, and the repo config that raises max_payload to the gateway body limit', () => {
    const nats = compose.services.nats;
    expect(nats.image).toMatch(/^nats:2\.\d+/);
    expect(argv(nats.command)).toEqual(expect.arrayContaining(['-js', '-sd', '/data', '-m', '8222', '-c', '/etc/nats/nats.conf']));
    expect(argv(nats.healthcheck?.test).join(' ')).toContain(':8222/healthz');
    expect(nats.volumes).toEqual(['nats-data:/data', './infra/nats/nats.conf:/etc/nats/nats.conf:ro']);
    expect(readFileSync(join(ROOT, 'infra/nats/nats.conf'), 'utf8')).toMatch(/^max_payload: 8MB$/m);
    expect(compose.volumes).toHaveProperty('nats-data');
  });

  it('then postgres is pgvector on a named volume and jaeger is pinned to a concrete v2 tag', () => {
    const pg = compose.services.postgres;
    expect(pg.image).toMatch(/^pgvector\/pgvector:pg1[5-9]$/);
    expect(envOf(pg)).toEqual(expect.objectContaining({ POSTGRES_DB: 'control_plane', POSTGRES_PASSWORD: 'postgres' }));
    expect(argv(pg.healthcheck?.test)).toContain('pg_isready');
    expect(pg.volumes).toEqual(['pg-data:/var/lib/postgresql/data']);
    expect(compose.volumes).toHaveProperty('pg-data');
    expect(compose.services.jaeger.image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
  });
});

describe('Dockerfile', () => {
  it('given the file, then it is multi-stage, runs on node:22 as a non-root user and defaults to the gateway', () => {
    expect(dockerfileViolations(dockerfile)).toEqual([]);
  });
});

describe('.dockerignore', () => {
  it('given the file, then host build output, dependencies and VCS data stay out of the context', () => {
    expect(dockerignore).toEqual(expect.arrayContaining(['node_modules', 'dist', '.run', '.git', '*.log', 'coverage']));
  });
});

describe('the rules themselves', () => {
  const base = () => loadCompose(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));

  it('given postgres published on all interfaces, when checked, then it is reported', () => {
    const c = base();
    c.services.postgres.ports = ['5432:5432'];
    expect(portViolations(c)).toEqual(['postgres publishes ports but must not', 'postgres: 5432:5432 is not bound to 127.0.0.1']);
  });

  it('given the gateway on 0.0.0.0, when checked, then it is reported', () => {
    const c = base();
    c.services.gateway.ports = ['8080:8080'];
    expect(portViolations(c)).toContain('gateway: 8080:8080 is not bound to 127.0.0.1');
  });

  it('given a service without a healthcheck, when checked, then it is reported', () => {
    const c = base();
    delete c.services['tool-governor'].healthcheck;
    expect(healthcheckViolations(c)).toEqual(['tool-governor has no usable healthcheck']);
  });

  it('given a service without a restart policy and one with "no", when checked, then both are reported', () => {
    const c = base();
    delete c.services.router.restart;
    c.services.nats.restart = 'no';
    expect(restartViolations(c)).toEqual([
      'nats: restart is "no", must be unless-stopped, always or on-failure',
      'router: restart is missing, must be unless-stopped, always or on-failure',
    ]);
  });

  it('given short-form or condition-less depends_on, when checked, then both are reported', () => {
    const c = base();
    c.services.router.depends_on = ['nats'];
    c.services.gateway.depends_on = { router: {} };
    expect(dependsOnViolations(c)).toEqual(['router: depends_on must use the long form with a condition', 'gateway -> router has no condition']);
  });

  it('given a hard-coded provider key, when checked, then it is reported', () => {
    const c = base();
    (c.services.router.environment as Record<string, string>).OPENAI_API_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
    expect(secretViolations(c)).toEqual([
      'router: OPENAI_API_KEY must be ${OPENAI_API_KEY:-}, got "sk-proj-abcdefghijklmnopqrstuvwxyz012345"',
      'router: OPENAI_API_KEY looks like a hard-coded key',
    ]);
  });

  it('given a command pointing at another app, when checked, then it is reported', () => {
    const c = base();
    c.services.auditor.command = 'node dist/apps/router/src/main.js';
    expect(commandViolations(c)).toHaveLength(1);
  });

  it('given a single-stage root image on node:20, when checked, then every gap is reported', () => {
    const bad = 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ["node", "dist/apps/router/src/main.js"]\n';
    expect(dockerfileViolations(bad)).toEqual(expect.arrayContaining([
      'needs a multi-stage build',
      'runtime stage must be FROM node:22*, got "node:20-slim"',
      'runtime stage must switch to a non-root USER',
      'default CMD must run the gateway',
      'missing RUN npm ci',
    ]));
  });

  it('given USER root in the final stage, when checked, then it is reported', () => {
    expect(dockerfileViolations(dockerfile.replace(/^USER node$/m, 'USER root'))).toEqual(['runtime stage must switch to a non-root USER']);
  });
});
