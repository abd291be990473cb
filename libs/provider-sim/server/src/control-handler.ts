import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { FaultSpec, isValidInstanceName, ListenerRequest, ScriptRequest, toSimReply } from '@cp/provider-sim/domain';
import type { SimContext } from './context';
import { readBody, sendJson } from './http-io';
import { SimControlError, type SimInstance } from './instances';

const CONTROL_PATH = /^\/_sim\/instances\/([^/]+)\/(script|faults|listener|stats)$/;

async function readControlBody<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.infer<S>> {
  const raw = await readBody(req);
  let value: unknown;
  try {
    value = raw.length === 0 ? {} : JSON.parse(raw);
  } catch {
    throw new SimControlError('SIM.INVALID_CONTROL_BODY', 400, 'control request body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new SimControlError('SIM.INVALID_CONTROL_BODY', 400, `invalid control request: ${detail}`);
  }
  return parsed.data;
}

function notFound(req: IncomingMessage, path: string): SimControlError {
  return new SimControlError('SIM.UNKNOWN_CONTROL_ROUTE', 404, `no control route ${req.method ?? 'GET'} ${path}`);
}

/** The `/_sim` control API: scripts, faults, dedicated listeners, stats and a global reset. */
export async function handleControl(
  ctx: SimContext,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  listenerHandler: (instance: SimInstance) => RequestListener,
): Promise<void> {
  if (path === '/_sim/reset') {
    if (req.method !== 'POST') throw notFound(req, path);
    await ctx.registry.clear();
    return sendJson(res, 200, { status: 'ok' });
  }
  const match = CONTROL_PATH.exec(path);
  if (!match) throw notFound(req, path);
  const [, name, action] = match;
  if (!isValidInstanceName(name)) throw new SimControlError('SIM.INVALID_INSTANCE_NAME', 400, `invalid instance name '${name}'`);
  const instance = ctx.registry.get(name);
  switch (`${req.method ?? 'GET'} ${action}`) {
    case 'POST script': {
      const { replies } = await readControlBody(req, ScriptRequest);
      return sendJson(res, 200, { queued: instance.enqueue(replies.map(toSimReply)) });
    }
    case 'POST faults': {
      const fault = await readControlBody(req, FaultSpec);
      await instance.setFault(fault);
      return sendJson(res, 200, { fault });
    }
    case 'DELETE faults':
      await instance.clearFault();
      return sendJson(res, 200, { fault: null });
    case 'POST listener': {
      const { port } = await readControlBody(req, ListenerRequest);
      const listener = await instance.openListener(ctx.host, port, listenerHandler(instance));
      return sendJson(res, 200, { port: listener.port, url: listener.url });
    }
    case 'GET stats':
      return sendJson(res, 200, instance.stats());
    default:
      throw notFound(req, path);
  }
}

/** Maps control failures to the status and stable code they carry. */
export function sendControlError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const known = err instanceof SimControlError;
  const status = known ? err.status : 500;
  const code = known ? err.code : 'SIM.INTERNAL';
  const message = err instanceof Error ? err.message : String(err);
  sendJson(res, status, { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code } });
}
