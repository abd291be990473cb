/**
 * A provider that misbehaves in ways provider-sim does not (an OpenAI-wire upstream on a port of
 * its own), and a registry that adds it as provider `edge` with its own route, so its failures
 * reach the client instead of being failed over. What it does depends on the last user message:
 * `stall` (headers, half a body, then nothing), `huge:<bytes>` (a reply of that many bytes),
 * `deep:<levels>` (a valid reply with one extra field nested that deep); streamed: `stall` (one
 * chunk, then nothing) and `huge:<bytes>` (one SSE line that never ends). Anything else is echoed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '@cp/shared/testing';

export const EDGE_MODEL = 'edge/edge-model';
export const EDGE_KEY_ENV = 'CP_E2E_EDGE_KEY';

export class EdgeUpstream {
  private readonly server: Server = createServer((req, res) => void this.answer(req, res));
  private readonly open = new Set<ServerResponse>();

  async start(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const c of req) raw += String(c);
    const body = JSON.parse(raw) as { stream?: boolean; messages: { role: string; content: string }[] };
    const said = String(body.messages.at(-1)?.content ?? '');
    const [mode, arg] = said.split(':');
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
    if (body.stream) return this.stream(res, mode, Number(arg), said);
    if (mode === 'stall') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.write('{"id":"stalled","object":"chat.completion",');
    }
    if (mode === 'huge') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion('x'.repeat(Number(arg)))));
    if (mode === 'deep') {
      const deep = `${'['.repeat(Number(arg))}${']'.repeat(Number(arg))}`;
      const json = JSON.stringify(completion('deep')).replace(/}$/, `,"extra":${deep}}`);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(json);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(`echo: ${said}`)));
  }

  private stream(res: ServerResponse, mode: string, arg: number, said: string): void {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (mode === 'stall') return void res.write(`data: ${JSON.stringify(chunk('first'))}\n\n`);
    if (mode === 'huge') {
      // One event that never ends: its bytes, then silence with the connection open.
      return void res.write(`data: {"id":"${'x'.repeat(arg)}`);
    }
    res.end(`data: ${JSON.stringify(chunk(`echo: ${said}`, 'stop'))}\n\ndata: [DONE]\n\n`);
  }
}

function completion(content: string) {
  return { id: 'cmpl-edge', object: 'chat.completion', created: 1, model: 'edge-model', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
}

function chunk(content: string, finish: string | null = null) {
  return { id: 'cmpl-edge', object: 'chat.completion.chunk', created: 1, model: 'edge-model', choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: finish }] };
}

/** The shipped registry plus provider `edge` at this port (short timeouts) in a route of its own. */
export function registryWithEdge(port: number, totalMs: number): string {
  const doc = parse(readFileSync(join(REPO_ROOT, 'config/providers.yaml'), 'utf8')) as { providers: unknown[]; routes: Record<string, string[]> };
  doc.providers.push({
    id: 'edge',
    wire: 'openai',
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKeyEnv: EDGE_KEY_ENV,
    timeouts: { connectMs: 1000, firstByteMs: totalMs, totalMs },
    models: [{ id: 'edge-model', capabilities: { tools: true, vision: false, streaming: true, jsonMode: true }, contextWindow: 8192, maxOutput: 1024, pricePerMTok: { input: 0, output: 0 } }],
  });
  doc.routes.edge = [EDGE_MODEL];
  const file = join(mkdtempSync(join(tmpdir(), 'cp-reg-edge-')), 'providers.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}
