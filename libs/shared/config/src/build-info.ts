import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BuildInfo {
  version: string;
  gitSha: string;
}

let cached: BuildInfo | undefined;

/** Version from the root package.json and the git sha (`CP_GIT_SHA`, else `git rev-parse`), read once. */
export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  if (cached) return cached;
  const root = findRoot(__dirname);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  cached = { version, gitSha: env.CP_GIT_SHA || gitSha(root) };
  return cached;
}

function gitSha(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

function findRoot(from: string): string {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    try {
      readFileSync(join(dir, 'nx.json'));
      return dir;
    } catch {
      dir = join(dir, '..');
    }
  }
  return process.cwd();
}
