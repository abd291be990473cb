/**
 * The one generator of the supervisord configuration that runs the stack natively: up.sh calls it
 * through `bin/supervisor-conf.js`, the e2e tests' SupervisedStack calls it directly. The settings
 * live in the templates under infra/supervisor/; this fills in paths, commands and environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The processes of a native stack, in start order (supervisord starts lower priorities first). */
export const SUPERVISED_SERVICES = ['provider-sim', 'auditor', 'router', 'tool-governor', 'memory-plane', 'slo-collector', 'gateway'] as const;
export type SupervisedService = (typeof SUPERVISED_SERVICES)[number];

/**
 * Node flags each service runs with, in every way the stack starts (supervisord here, the test and
 * bench stacks, docker-compose; a unit test holds compose to this). The five control-plane services
 * take their events at the bus's pace, not the request path's, so their young generation is capped
 * at 2 x 4 MiB instead of Node 20's 2 x 16: 20-25 MiB less resident each under load, with no change
 * in their CPU per request (docs/performance.md, "The control-plane services' young generation").
 * The gateway keeps the default: a smaller young generation cost it a fifth of its throughput.
 */
const CONTROL_PLANE_FLAGS = ['--max-semi-space-size=4'] as const;
export const SERVICE_NODE_FLAGS: Readonly<Record<SupervisedService, readonly string[]>> = {
  'provider-sim': [],
  auditor: CONTROL_PLANE_FLAGS,
  router: CONTROL_PLANE_FLAGS,
  'tool-governor': CONTROL_PLANE_FLAGS,
  'memory-plane': CONTROL_PLANE_FLAGS,
  'slo-collector': CONTROL_PLANE_FLAGS,
  gateway: [],
};

/** The arguments after `node` that start `service` from the repository root `root`. */
export function serviceArgv(root: string, service: SupervisedService): string[] {
  return [...SERVICE_NODE_FLAGS[service], join(root, 'dist', 'apps', service, 'src', 'main.js')];
}

export interface SupervisedProgram {
  /** Program name in supervisorctl (`supervisorctl pid <name>`) and the log file's name. */
  name: string;
  /** Which app it runs: `dist/apps/<service>/src/main.js`. */
  service: SupervisedService;
  /** Extra variables for this program only, over the shared ones. */
  env?: Record<string, string>;
}

export interface SupervisorConfInput {
  /** Repository root: the programs run `dist/apps/...` from here, and the templates are read from `infra/supervisor/`. */
  root: string;
  /** Holds the control socket and the pidfile. */
  runDir: string;
  /** supervisord.log and one `<program>.log` per program. */
  logDir: string;
  /** Absolute path of the node binary the programs run with. */
  nodePath: string;
  /** Variables every program gets (see `stackEnv`); OTEL_SERVICE_NAME is set per program. */
  env: Record<string, string>;
  /** Default: every service of SUPERVISED_SERVICES under its own name. */
  programs?: SupervisedProgram[];
  /** supervisord's identifier; default `cp`. */
  identifier?: string;
}

/** Names of the variables handed to the services: their settings, OpenTelemetry's, Node's, provider keys, and PATH/HOME/locale. */
export function isStackEnvName(name: string): boolean {
  return /^(CP|OTEL|NODE)_[A-Z0-9_]+$/.test(name) || /^[A-Z][A-Z0-9_]*_API_KEY$/.test(name) || ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_ENV'].includes(name);
}

/** The variables of an environment (`processEnvironment()` from the config lib) that the services need, see `isStackEnvName`. */
export function stackEnv(from: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(from)
      .filter((e): e is [string, string] => e[1] !== undefined && isStackEnvName(e[0]))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** The longest unix socket path the kernel takes (sun_path is 108 bytes, with the NUL). */
export const MAX_SOCKET_PATH = 107;

export function socketPath(runDir: string): string {
  return join(runDir, 'supervisor.sock');
}
export function pidfilePath(runDir: string): string {
  return join(runDir, 'supervisord.pid');
}

/** `%` starts an expansion in supervisor's config values: double it. Newlines would end the ini value. */
function value(v: string, what: string): string {
  if (/[\r\n\0]/.test(v)) throw new Error(`${what}: a newline or NUL cannot go into a supervisor config`);
  return v.replace(/%/g, '%%');
}

/**
 * One `KEY="value"` of `environment=`. Supervisor splits that line with Python's non-POSIX shlex
 * (no escapes) and then strips quotes at both ends of each value, and the ini parser would cut it at
 * ` ;` or ` #`: values it cannot carry intact are refused rather than mangled.
 */
function envPair(key: string, v: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`environment: ${key} is not a variable name`);
  const where = `environment ${key}`;
  if (/^['"]|['"]$/.test(v)) throw new Error(`${where}: a value may not start or end with a quote`);
  if (/\s[;#]/.test(v)) throw new Error(`${where}: a value may not contain " ;" or " #"`);
  const quote = v.includes('"') ? "'" : '"';
  if (v.includes(quote)) throw new Error(`${where}: a value may not contain both kinds of quote`);
  return `${key}=${quote}${value(v, where)}${quote}`;
}

/** A path as one argument of `command=` (split by shlex): quoted when it needs to be. */
function arg(v: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(v)) return value(v, 'command');
  if (v.includes("'")) throw new Error(`command: ${v} may not contain a single quote`);
  return `'${value(v, 'command')}'`;
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in vars)) throw new Error(`supervisor template: no value for {{${k}}}`);
    return vars[k];
  });
}

export function renderSupervisorConf(input: SupervisorConfInput): string {
  const socket = socketPath(input.runDir);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) throw new Error(`supervisor socket path too long for a unix socket (${socket})`);
  const templates = join(input.root, 'infra', 'supervisor');
  const head = readFileSync(join(templates, 'supervisord.conf.tmpl'), 'utf8');
  const program = readFileSync(join(templates, 'program.conf.tmpl'), 'utf8');
  const programs: SupervisedProgram[] = input.programs ?? SUPERVISED_SERVICES.map((service) => ({ name: service, service }));
  const names = new Set<string>();
  const blocks = programs.map((p) => {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(p.name)) throw new Error(`program name ${p.name}: lower-case letters, digits, _ and - only`);
    if (names.has(p.name)) throw new Error(`program ${p.name} is defined twice`);
    names.add(p.name);
    const env: Record<string, string> = { ...input.env, ...(p.env ?? {}), OTEL_SERVICE_NAME: p.service };
    const order = SUPERVISED_SERVICES.indexOf(p.service);
    if (order < 0) throw new Error(`unknown service ${p.service}`);
    return fill(program, {
      name: p.name,
      command: [input.nodePath, ...serviceArgv(input.root, p.service)].map(arg).join(' '),
      root: value(input.root, 'root'),
      environment: Object.entries(env).map(([k, v]) => envPair(k, v)).join(','),
      priority: String(100 + 10 * order),
      log_file: value(join(input.logDir, `${p.name}.log`), 'log file'),
    });
  });
  return (
    fill(head, {
      socket: value(socket, 'socket'),
      pidfile: value(pidfilePath(input.runDir), 'pidfile'),
      log_dir: value(input.logDir, 'log dir'),
      root: value(input.root, 'root'),
      identifier: value(input.identifier ?? 'cp', 'identifier'),
    }) + blocks.join('')
  );
}
