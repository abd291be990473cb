import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultReply, openAiWire, parseEmbeddingsRequest, simEmbedding, usageFor, type FaultSpec, type RenderInput, type WireFormat } from '@cp/provider-sim/domain';
import type { SimContext } from './context';
import { answeredByFault, damagesAnswer, receivedKey, sendDocument, sendFrames } from './fault-responses';
import { readBody, sendJson } from './http-io';
import type { SimInstance } from './instances';
import { formatForPath, matchProviderRoute, type ProviderRoute } from './routes';

type JsonBody = { ok: true; value: unknown } | { ok: false; raw: string };

const MODELS_JSON = JSON.stringify({
  object: 'list',
  data: ['sim-echo', 'gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'provider-sim' })),
});

function parseJsonBody(raw: string): JsonBody {
  if (raw.length === 0) return { ok: false, raw };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    // Answered as a 400 in the provider's shape by the caller.
    return { ok: false, raw };
  }
}

/** Serves one provider API request for an instance: faults first, then a scripted or echoed answer. */
export async function handleProviderRequest(ctx: SimContext, instance: SimInstance, rest: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const route = matchProviderRoute(req.method, rest);
  if (!route) {
    sendJson(res, 404, formatForPath(rest).errorBody(404, `Invalid URL (${req.method ?? 'GET'} ${rest})`));
    return;
  }
  const body = parseJsonBody(await readBody(req));
  instance.record(req.url ?? rest, req.headers, body.ok ? body.value : body.raw);
  const fault = instance.takeFault();
  if (route.kind === 'models') {
    if (fault && (await answeredByFault(fault, openAiWire, req, res))) return;
    sendDocument(res, MODELS_JSON, fault, openAiWire, receivedKey(req));
    return;
  }
  if (route.kind === 'embeddings') {
    if (fault && (await answeredByFault(fault, openAiWire, req, res))) return;
    answerEmbeddings(body, res, fault, receivedKey(req));
    return;
  }
  if (fault && (await answeredByFault(fault, route.format, req, res))) return;
  await answerCompletion(ctx, instance, route, body, res, fault, fault?.type === 'echo_key' ? receivedKey(req) : '');
}

async function answerCompletion(
  ctx: SimContext,
  instance: SimInstance,
  route: Extract<ProviderRoute, { kind: 'completion' }>,
  body: JsonBody,
  res: ServerResponse,
  fault: FaultSpec | null,
  key: string,
): Promise<void> {
  const format: WireFormat = route.format;
  if (!body.ok) {
    sendJson(res, 400, format.errorBody(400, 'request body is not valid JSON'));
    return;
  }
  const parsed = format.parse(body.value, route.hints);
  if (!parsed.ok) {
    sendJson(res, 400, format.errorBody(400, parsed.message));
    return;
  }
  const request = parsed.request;
  const scripted = damagesAnswer(fault) ? instance.peekReply() : instance.nextReply();
  const reply = scripted ?? defaultReply(request);
  const input: RenderInput = {
    id: ctx.nextId(),
    created: ctx.nowSeconds(),
    model: request.model,
    reply,
    usage: usageFor(request, reply),
    includeUsage: request.includeUsage,
  };
  if (request.stream) await sendFrames(res, format, format.renderStream(input), fault, key);
  else sendDocument(res, JSON.stringify(format.renderJson(input)), fault, format, key);
}

/** OpenAI's embeddings response, with the sim's deterministic vectors (`simEmbedding`). */
function answerEmbeddings(body: JsonBody, res: ServerResponse, fault: FaultSpec | null, key: string): void {
  const parsed = body.ok ? parseEmbeddingsRequest(body.value) : ({ ok: false, message: 'request body is not valid JSON' } as const);
  if (!parsed.ok) {
    sendJson(res, 400, openAiWire.errorBody(400, parsed.message));
    return;
  }
  const tokens = parsed.input.reduce((n, s) => n + Math.ceil(s.length / 4), 0);
  const doc = { object: 'list', model: parsed.model, data: parsed.input.map((s, index) => ({ object: 'embedding', index, embedding: simEmbedding(s) })), usage: { prompt_tokens: tokens, total_tokens: tokens } };
  sendDocument(res, JSON.stringify(doc), fault, openAiWire, key);
}
