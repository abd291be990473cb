/**
 * The floor for the gateway benchmark: a minimal reverse proxy in front of provider-sim, nothing but
 * `node:http` on both sides (a keep-alive agent to the upstream). The body and the answer are piped
 * through as they come, so SSE streams stream. No parsing, no auth, no routing, no ledger, no tracing.
 *
 * Run as its own process (`startRefProxy`), so its CPU is read from /proc like the stack's.
 * As a script: `REF_PROXY_UPSTREAM=http://127.0.0.1:port node ref-proxy.js` prints `listening <port>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

function serve(upstream: string): void {
  const up = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, scheduling: 'lifo' });
  const server = createServer((req, res) => {
    const headers = { ...req.headers, host: up.host };
    const out = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers, agent }, (ans) => {
      res.writeHead(ans.statusCode ?? 502, ans.headers);
      ans.pipe(res);
    });
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

/** Starts the proxy as a child process in front of `upstream`; resolves with its base URL. */
export function startRefProxy(upstream: string): Promise<{ url: string; proc: ChildProcess; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [__filename], { env: { PATH: process.env.PATH ?? '', REF_PROXY_UPSTREAM: upstream }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('reference proxy did not start within 10 s')), 10_000);
    proc.once('exit', (code) => reject(new Error(`reference proxy exited with ${code}`)));
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /listening (\d+)/.exec(buf);
      if (!m) return;
      clearTimeout(timer);
      const stop = () =>
        new Promise<void>((r) => {
          if (proc.exitCode !== null) return r();
          proc.once('exit', () => r());
          proc.kill('SIGTERM');
        });
      resolve({ url: `http://127.0.0.1:${m[1]}`, proc, stop });
    });
  });
}

if (require.main === module) {
  const upstream = process.env.REF_PROXY_UPSTREAM;
  if (!upstream) throw new Error('REF_PROXY_UPSTREAM is not set');
  serve(upstream);
}
