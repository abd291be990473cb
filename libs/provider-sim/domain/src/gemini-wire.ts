import { isNonEmptyString, isRecord, type JsonRecord } from './guards';
import { argumentsAsObject, directives, type ReplyDirectives, type SimReply } from './sim-reply';
import { sseData } from './sse';
import { splitText } from './tokens';
import { parseFailure, type ParseOutcome, type RenderInput, type RouteHints, type WireFormat } from './wire-format';
import { checkFunctionDeclarations } from './gemini-schema-check';

type Part = { text: string } | { functionCall: { name: string; args: Record<string, unknown> }; thoughtSignature?: string };

const SIGNATURE_PREFIX = 'sim-thought:';

/**
 * The thought signature the sim puts on the first function call of an answer, as Gemini thinking
 * models do: opaque to clients, and recognised again when it comes back.
 */
export function simThoughtSignature(functionName: string): string {
  return Buffer.from(`${SIGNATURE_PREFIX}${functionName}`).toString('base64');
}

/** Google's documented placeholder for calls that never had a signature (another model made them). */
const SKIP_VALIDATOR = 'skip_thought_signature_validator';

function signatureMatches(signature: string, functionName: string): boolean {
  return signature === SKIP_VALIDATOR || Buffer.from(signature, 'base64').toString() === `${SIGNATURE_PREFIX}${functionName}`;
}

/** Gemini 3 models require the signature back on the function calls of the current turn; 2.5 models accept calls without one. */
function requiresSignatures(model: string | undefined): boolean {
  return model !== undefined && model.startsWith('gemini-3');
}

/** Index of the last user content that is a prompt (has a text part), not a function response: the current turn starts there. */
function currentTurnStart(contents: unknown[]): number {
  for (let i = contents.length - 1; i >= 0; i--) {
    const c = contents[i];
    if (isRecord(c) && (c.role === undefined || c.role === 'user') && Array.isArray(c.parts) && c.parts.some((p) => isRecord(p) && typeof p.text === 'string')) return i;
  }
  return 0;
}

/**
 * Thought signatures sent back must be ones the sim issued for that function (Gemini answers a
 * corrupted one with 400). For Gemini 3 models the first function call of each model content in
 * the current turn must carry one.
 */
function checkThoughtSignatures(contents: unknown[], model: string | undefined): string | undefined {
  const start = currentTurnStart(contents);
  for (let i = 0; i < contents.length; i++) {
    const content = contents[i];
    if (!isRecord(content) || content.role !== 'model' || !Array.isArray(content.parts)) continue;
    const calls = content.parts.filter((p): p is JsonRecord => isRecord(p) && isRecord(p.functionCall));
    for (const part of calls) {
      const name = isRecord(part.functionCall) && typeof part.functionCall.name === 'string' ? part.functionCall.name : '';
      if (part.thoughtSignature !== undefined && (typeof part.thoughtSignature !== 'string' || !signatureMatches(part.thoughtSignature, name))) {
        return `Corrupted thought signature on function call \`${name}\` in contents[${i}].`;
      }
    }
    const first = calls[0];
    if (first && i > start && requiresSignatures(model) && first.thoughtSignature === undefined) {
      const name = isRecord(first.functionCall) ? String(first.functionCall.name) : '';
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly. Function call \`${name}\` in contents[${i}].`;
    }
  }
  return undefined;
}

function partsOf(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ text: content }];
  return isRecord(content) && Array.isArray(content.parts) ? content.parts : [];
}

function textChars(content: unknown): number {
  let chars = 0;
  for (const part of partsOf(content)) if (isRecord(part) && typeof part.text === 'string') chars += part.text.length;
  return chars;
}

function isImagePart(part: Record<string, unknown>): boolean {
  const blob = isRecord(part.inlineData) ? part.inlineData : isRecord(part.fileData) ? part.fileData : undefined;
  return blob !== undefined && (typeof blob.mimeType !== 'string' || blob.mimeType.startsWith('image/'));
}

function readUserContent(content: unknown): { text: string; images: number } {
  const texts: string[] = [];
  let images = 0;
  for (const part of partsOf(content)) {
    if (!isRecord(part)) continue;
    if (typeof part.text === 'string') texts.push(part.text);
    else if (isImagePart(part)) images += 1;
  }
  return { text: texts.join(' '), images };
}

function firstDeclaredFunction(tools: unknown): string | undefined {
  const first: unknown = Array.isArray(tools) && isRecord(tools[0]) && Array.isArray(tools[0].functionDeclarations) ? tools[0].functionDeclarations[0] : undefined;
  return isRecord(first) && isNonEmptyString(first.name) ? first.name : undefined;
}

/**
 * Mode `ANY` forces a call (the first allowed name, else the first declaration); JSON mode is
 * `responseMimeType`, and its schema `responseJsonSchema` (JSON Schema) or `responseSchema` (Google's
 * OpenAPI subset, upper-case types).
 */
function geminiDirectives(body: JsonRecord): ReplyDirectives {
  const config = isRecord(body.toolConfig) && isRecord(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : undefined;
  const allowed: unknown = config && Array.isArray(config.allowedFunctionNames) ? config.allowedFunctionNames[0] : undefined;
  const forced = config?.mode === 'ANY' ? (isNonEmptyString(allowed) ? allowed : firstDeclaredFunction(body.tools)) : undefined;
  const generation = body.generationConfig;
  const schema = isRecord(generation) ? (generation.responseJsonSchema ?? generation.responseSchema) : undefined;
  return directives(forced, isRecord(generation) && generation.responseMimeType === 'application/json', schema);
}

/** Model and streaming come from the URL (`models/{model}:streamGenerateContent`), not the body. */
export function parseGeminiRequest(body: unknown, hints: RouteHints): ParseOutcome {
  if (!isRecord(body)) return parseFailure('Invalid JSON payload received. Expected an object.');
  const { contents } = body;
  if (!Array.isArray(contents) || contents.length === 0) return parseFailure('* GenerateContentRequest.contents: contents is not specified');
  let promptChars = textChars(body.systemInstruction);
  let lastUser: unknown;
  for (const content of contents) {
    if (!isRecord(content) || !Array.isArray(content.parts)) return parseFailure('* GenerateContentRequest.contents.parts: contents.parts must not be empty');
    promptChars += textChars(content);
    if (content.role === undefined || content.role === 'user') lastUser = content;
  }
  const schemaProblem = checkFunctionDeclarations(body.tools);
  if (schemaProblem) return parseFailure(schemaProblem);
  const signatureProblem = checkThoughtSignatures(contents, hints.model);
  if (signatureProblem) return parseFailure(signatureProblem);
  const user = readUserContent(lastUser);
  return {
    ok: true,
    request: {
      model: hints.model ?? 'gemini-sim',
      stream: hints.stream === true,
      includeUsage: true,
      lastUserText: user.text,
      lastUserImages: user.images,
      promptChars,
      ...geminiDirectives(body),
    },
  };
}

/** Only the first call of an answer is signed, as Gemini signs parallel calls. */
function functionCallParts(reply: SimReply): Part[] {
  return reply.toolCalls.map((call, i) => ({ functionCall: { name: call.name, args: argumentsAsObject(call.arguments) }, ...(i === 0 ? { thoughtSignature: simThoughtSignature(call.name) } : {}) }));
}

function usageMetadata(input: RenderInput) {
  const { prompt, completion } = input.usage;
  return { promptTokenCount: prompt, candidatesTokenCount: completion, totalTokenCount: prompt + completion };
}

function response(input: RenderInput, parts: Part[], final: boolean) {
  const candidate = { content: { role: 'model' as const, parts }, ...(final ? { finishReason: 'STOP' as const } : {}), index: 0 };
  return { candidates: [candidate], ...(final ? { usageMetadata: usageMetadata(input) } : {}), modelVersion: input.model, responseId: input.id };
}

export function renderGeminiResponse(input: RenderInput) {
  const { reply } = input;
  const parts: Part[] = reply.content || reply.toolCalls.length === 0 ? [{ text: reply.content ?? '' }] : [];
  return response(input, [...parts, ...functionCallParts(reply)], true);
}

/** Text in several chunks; the last chunk carries the rest of the text, any function calls, the finish reason and usage. */
export function renderGeminiStream(input: RenderInput): string[] {
  const pieces = splitText(input.reply.content ?? '');
  const last = pieces.pop();
  const frames = pieces.map((text) => sseData(response(input, [{ text }], false)));
  const finalParts: Part[] = last !== undefined ? [{ text: last }] : input.reply.toolCalls.length === 0 ? [{ text: '' }] : [];
  frames.push(sseData(response(input, [...finalParts, ...functionCallParts(input.reply)], true)));
  return frames;
}

function statusName(status: number): string {
  switch (status) {
    case 400: case 413: return 'INVALID_ARGUMENT';
    case 401: return 'UNAUTHENTICATED';
    case 402: return 'FAILED_PRECONDITION';
    case 403: return 'PERMISSION_DENIED';
    case 404: return 'NOT_FOUND';
    case 429: return 'RESOURCE_EXHAUSTED';
    case 502: case 503: return 'UNAVAILABLE';
    case 504: return 'DEADLINE_EXCEEDED';
    default: return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
}

export function geminiErrorBody(status: number, message: string) {
  return { error: { code: status, message, status: statusName(status) } };
}

export const geminiWire: WireFormat = {
  name: 'gemini',
  parse: parseGeminiRequest,
  renderJson: renderGeminiResponse,
  renderStream: renderGeminiStream,
  terminalFrames: 1,
  errorBody: geminiErrorBody,
  errorEvent: (message) => sseData(geminiErrorBody(500, message)),
  wrongSchemaStream: sseData({ result: 'ok' }),
};
