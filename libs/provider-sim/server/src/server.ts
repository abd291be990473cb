import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { openAiWire } from '@cp/provider-sim/domain';
import type { SimContext } from './context';
import { handleControl, sendControlError } from './control-handler';
import { BodyTooLargeError, sendJson, sendJsonText } from './http-io';
import { InstanceRegistry, type SimInstance } from './instances';
import { clientHost, closeServer, listen } from './net-util';
import { handleProviderRequest } from './provider-handler';
import { splitInstance } from './routes';

/** Where the simulator binds. Port 0 picks a free port. */
export interface ProviderSimOptions {
  host?: string;
  port?: number;
}

/** A running simulator; `url` has no trailing slash. */
export interface ProviderSim {
  url: string;
  port: number;
  close(): Promise<void>;
}

const HEALTH_JSON = '{"status":"ok"}';

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function failRequest(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = err instanceof BodyTooLargeError ? 413 : 500;
  sendJson(res, status, openAiWire.errorBody(status, err instanceof Error ? err.message : String(err)));
}

function serveProvider(ctx: SimContext, instance: SimInstance, rest: string, req: IncomingMessage, res: ServerResponse): void {
  handleProviderRequest(ctx, instance, rest, req, res).catch((err: unknown) => failRequest(res, err));
}

/** A dedicated port serves one instance at root paths, and nothing else. */
function dedicatedHandler(ctx: SimContext): (instance: SimInstance) => RequestListener {
  return (instance) => (req, res) => {
    const path = pathOf(req);
    if (path === '/health') return sendJsonText(res, 200, HEALTH_JSON);
    serveProvider(ctx, instance, path, req, res);
  };
}

function sharedHandler(ctx: SimContext): RequestListener {
  const forInstance = dedicatedHandler(ctx);
  return (req, res) => {
    const path = pathOf(req);
    if (path === '/health') return sendJsonText(res, 200, HEALTH_JSON);
    if (path.startsWith('/_sim/')) {
      handleControl(ctx, path, req, res, forInstance).catch((err: unknown) => sendControlError(res, err));
      return;
    }
    const target = splitInstance(path);
    if (!target) return sendJson(res, 404, openAiWire.errorBody(404, `Invalid URL (${req.method ?? 'GET'} ${path})`));
    serveProvider(ctx, ctx.registry.get(target.instance), target.rest, req, res);
  };
}

function defaultIdSource(): () => string {
  const prefix = Date.now().toString(36);
  let counter = 0;
  return () => `sim${prefix}${(counter += 1).toString(36).padStart(4, '0')}`;
}

/** Starts the simulator with an injected id source and clock; `startProviderSim` supplies real ones. */
export async function startProviderSimWith(opts: ProviderSimOptions, deps: Pick<SimContext, 'nextId' | 'nowSeconds'>): Promise<ProviderSim> {
  const host = opts.host ?? '127.0.0.1';
  const registry = new InstanceRegistry();
  const ctx: SimContext = { host, registry, ...deps };
  const server = createServer(sharedHandler(ctx));
  const port = await listen(server, host, opts.port ?? 0);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${clientHost(host)}:${port}`,
    port,
    close() {
      closing ??= Promise.all([closeServer(server), registry.clear()]).then(() => undefined);
      return closing;
    },
  };
}

/** Starts a provider simulator; `port: 0` (the default) binds a random free port. */
export function startProviderSim(opts: ProviderSimOptions = {}): Promise<ProviderSim> {
  return startProviderSimWith(opts, { nextId: defaultIdSource(), nowSeconds: () => Math.floor(Date.now() / 1000) });
}
