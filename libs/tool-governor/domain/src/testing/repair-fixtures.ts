import type { RepairClass } from '../policy.schema';

/** A tool schema the repair fixtures call. */
export const FIXTURE_TOOLS: Record<string, Record<string, unknown>> = {
  read_file: {
    type: 'object',
    properties: { path: { type: 'string' }, encoding: { type: 'string', enum: ['utf8', 'base64'], default: 'utf8' }, max_bytes: { type: 'integer', minimum: 1 } },
    required: ['path'],
    additionalProperties: false,
  },
  run_command: {
    type: 'object',
    properties: { command: { type: 'string' }, args: { type: 'array', items: { type: 'string' } }, timeoutSeconds: { type: 'number' }, background: { type: 'boolean' } },
    required: ['command'],
    additionalProperties: false,
  },
  create_ticket: {
    type: 'object',
    properties: {
      title: { type: 'string' },
      priority: { type: 'string', enum: ['Low', 'Medium', 'High', 'Critical'] },
      labels: { type: 'array', items: { type: 'string' } },
      assignee: { type: 'object', properties: { name: { type: 'string' }, team: { type: 'string', enum: ['Platform', 'Data'] } }, required: ['name'], additionalProperties: false },
      due: { type: 'string', default: 'none' },
      estimate: { type: 'number' },
    },
    required: ['title', 'priority', 'due'],
    additionalProperties: false,
  },
};

/** Aliases the fixtures' policy declares (as `config/tools.yaml` might). */
export const FIXTURE_ALIASES: Record<string, Record<string, string>> = { '*': { cmd: 'command' }, read_file: { file_path: 'path', filename: 'path' } };

export interface RepairFixture {
  cls: RepairClass;
  tool: keyof typeof FIXTURE_TOOLS;
  /** The arguments as the model sent them. */
  sent: string;
  /** The repaired arguments (parsed), or `invalid` when the call must not be repaired. */
  expected: Record<string, unknown> | 'invalid';
}

/**
 * Malformed tool calls, at least five per repair class, each with the arguments a repair must
 * produce. Used by the unit tests and by `npm run bench:repair`.
 */
export const REPAIR_FIXTURES: RepairFixture[] = [
  // 1. invalid JSON
  { cls: 'invalid_json', tool: 'read_file', sent: '{"path": "/etc/hosts",}', expected: { path: '/etc/hosts' } },
  { cls: 'invalid_json', tool: 'read_file', sent: "{'path': '/tmp/a.txt'}", expected: { path: '/tmp/a.txt' } },
  { cls: 'invalid_json', tool: 'read_file', sent: '{path: "/srv/x", max_bytes: 10}', expected: { path: '/srv/x', max_bytes: 10 } },
  { cls: 'invalid_json', tool: 'run_command', sent: '```json\n{"command": "ls", "args": ["-la"]}\n```', expected: { command: 'ls', args: ['-la'] } },
  { cls: 'invalid_json', tool: 'run_command', sent: '{"command": "make", "background": True}', expected: { command: 'make', background: true } },
  { cls: 'invalid_json', tool: 'run_command', sent: '{"command": "tail", "args": ["-f", "log.txt"', expected: { command: 'tail', args: ['-f', 'log.txt'] } },
  // 2. parameter names
  { cls: 'parameter_names', tool: 'read_file', sent: '{"file_path": "/a"}', expected: { path: '/a' } },
  { cls: 'parameter_names', tool: 'read_file', sent: '{"filename": "/b", "encoding": "utf8"}', expected: { path: '/b', encoding: 'utf8' } },
  { cls: 'parameter_names', tool: 'run_command', sent: '{"cmd": "pwd"}', expected: { command: 'pwd' } },
  { cls: 'parameter_names', tool: 'run_command', sent: '{"command": "sleep", "timeout_seconds": 5}', expected: { command: 'sleep', timeoutSeconds: 5 } },
  { cls: 'parameter_names', tool: 'read_file', sent: '{"path": "/c", "maxBytes": 100}', expected: { path: '/c', max_bytes: 100 } },
  { cls: 'parameter_names', tool: 'run_command', sent: '{"comand": "whoami"}', expected: { command: 'whoami' } },
  // 3. extra fields where the schema forbids them
  { cls: 'extra_fields', tool: 'read_file', sent: '{"path": "/d", "verbose": true}', expected: { path: '/d' } },
  { cls: 'extra_fields', tool: 'run_command', sent: '{"command": "ls", "reason": "to look around"}', expected: { command: 'ls' } },
  { cls: 'extra_fields', tool: 'create_ticket', sent: '{"title": "t", "priority": "High", "due": "2026-01-01", "note": "x", "urgent": 1}', expected: { title: 't', priority: 'High', due: '2026-01-01' } },
  { cls: 'extra_fields', tool: 'create_ticket', sent: '{"title": "t", "priority": "Low", "due": "x", "assignee": {"name": "ana", "email": "a@b"}}', expected: { title: 't', priority: 'Low', due: 'x', assignee: { name: 'ana' } } },
  { cls: 'extra_fields', tool: 'read_file', sent: '{"path": "/e", "zzzzzzzz": 1, "yyyyyyyyy": 2}', expected: { path: '/e' } },
  // 4. type coercion
  { cls: 'type_coercion', tool: 'read_file', sent: '{"path": "/f", "max_bytes": "512"}', expected: { path: '/f', max_bytes: 512 } },
  { cls: 'type_coercion', tool: 'run_command', sent: '{"command": "x", "background": "true"}', expected: { command: 'x', background: true } },
  { cls: 'type_coercion', tool: 'run_command', sent: '{"command": "x", "args": "-v"}', expected: { command: 'x', args: ['-v'] } },
  { cls: 'type_coercion', tool: 'run_command', sent: '{"command": "x", "timeoutSeconds": "2.5"}', expected: { command: 'x', timeoutSeconds: 2.5 } },
  { cls: 'type_coercion', tool: 'create_ticket', sent: '{"title": 42, "priority": "Low", "due": "x", "estimate": "3"}', expected: { title: '42', priority: 'Low', due: 'x', estimate: 3 } },
  // 5. stringified nested JSON
  { cls: 'stringified_json', tool: 'run_command', sent: '{"command": "x", "args": "[\\"a\\", \\"b\\"]"}', expected: { command: 'x', args: ['a', 'b'] } },
  { cls: 'stringified_json', tool: 'create_ticket', sent: '{"title": "t", "priority": "Low", "due": "x", "assignee": "{\\"name\\": \\"bo\\"}"}', expected: { title: 't', priority: 'Low', due: 'x', assignee: { name: 'bo' } } },
  { cls: 'stringified_json', tool: 'create_ticket', sent: '{"title": "t", "priority": "Low", "due": "x", "labels": "[\\"bug\\"]"}', expected: { title: 't', priority: 'Low', due: 'x', labels: ['bug'] } },
  { cls: 'stringified_json', tool: 'read_file', sent: '"{\\"path\\": \\"/g\\"}"', expected: { path: '/g' } },
  { cls: 'stringified_json', tool: 'run_command', sent: '{"command": "x", "args": "[]"}', expected: { command: 'x', args: [] } },
  // 6. missing required from defaults
  { cls: 'missing_defaults', tool: 'create_ticket', sent: '{"title": "t", "priority": "Low"}', expected: { title: 't', priority: 'Low', due: 'none' } },
  { cls: 'missing_defaults', tool: 'create_ticket', sent: '{"title": "u", "priority": "High", "labels": []}', expected: { title: 'u', priority: 'High', labels: [], due: 'none' } },
  { cls: 'missing_defaults', tool: 'create_ticket', sent: '{"title": "v", "priority": "Medium", "estimate": 2}', expected: { title: 'v', priority: 'Medium', estimate: 2, due: 'none' } },
  { cls: 'missing_defaults', tool: 'create_ticket', sent: '{"priority": "Low", "title": "w", "assignee": {"name": "x"}}', expected: { priority: 'Low', title: 'w', assignee: { name: 'x' }, due: 'none' } },
  { cls: 'missing_defaults', tool: 'create_ticket', sent: '{"title": "no default for priority"}', expected: 'invalid' },
  // 7. enums case-insensitive
  { cls: 'enum_case', tool: 'create_ticket', sent: '{"title": "t", "priority": "high", "due": "x"}', expected: { title: 't', priority: 'High', due: 'x' } },
  { cls: 'enum_case', tool: 'create_ticket', sent: '{"title": "t", "priority": "CRITICAL", "due": "x"}', expected: { title: 't', priority: 'Critical', due: 'x' } },
  { cls: 'enum_case', tool: 'read_file', sent: '{"path": "/h", "encoding": "UTF8"}', expected: { path: '/h', encoding: 'utf8' } },
  { cls: 'enum_case', tool: 'create_ticket', sent: '{"title": "t", "priority": "Low", "due": "x", "assignee": {"name": "n", "team": "platform"}}', expected: { title: 't', priority: 'Low', due: 'x', assignee: { name: 'n', team: 'Platform' } } },
  { cls: 'enum_case', tool: 'create_ticket', sent: '{"title": "t", "priority": "urgent", "due": "x"}', expected: 'invalid' },
];
