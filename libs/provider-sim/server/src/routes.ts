import { anthropicWire, DEFAULT_INSTANCE, geminiWire, isValidInstanceName, openAiWire, type RouteHints, type WireFormat } from '@cp/provider-sim/domain';

export type ProviderRoute = { kind: 'completion'; format: WireFormat; hints: RouteHints } | { kind: 'models' } | { kind: 'embeddings' };

const NO_HINTS: RouteHints = {};
const OPENAI_CHAT: ProviderRoute = { kind: 'completion', format: openAiWire, hints: NO_HINTS };
const ANTHROPIC_MESSAGES: ProviderRoute = { kind: 'completion', format: anthropicWire, hints: NO_HINTS };
const MODELS: ProviderRoute = { kind: 'models' };
const EMBEDDINGS: ProviderRoute = { kind: 'embeddings' };

/** Splits `/<instance>/v1/...` into the instance and the provider path; unprefixed paths are `default`. */
export function splitInstance(path: string): { instance: string; rest: string } | null {
  if (path.startsWith('/v1/') || path.startsWith('/v1beta/')) return { instance: DEFAULT_INSTANCE, rest: path };
  const slash = path.indexOf('/', 1);
  if (slash === -1) return null;
  const instance = path.slice(1, slash);
  return isValidInstanceName(instance) ? { instance, rest: path.slice(slash) } : null;
}

function geminiModelPath(rest: string): string | null {
  if (rest.startsWith('/v1beta/models/')) return rest.slice('/v1beta/models/'.length);
  if (rest.startsWith('/v1/models/')) return rest.slice('/v1/models/'.length);
  return null;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is simply not a route.
    return null;
  }
}

function matchGemini(rest: string): ProviderRoute | null {
  const modelPath = geminiModelPath(rest);
  if (modelPath === null) return null;
  const colon = modelPath.lastIndexOf(':');
  const method = colon === -1 ? '' : modelPath.slice(colon + 1);
  if (method !== 'generateContent' && method !== 'streamGenerateContent') return null;
  const model = decodeSegment(modelPath.slice(0, colon));
  if (!model || model.includes('/')) return null;
  return { kind: 'completion', format: geminiWire, hints: { model, stream: method === 'streamGenerateContent' } };
}

/** The provider endpoint a method and path (without instance prefix and query) address. */
export function matchProviderRoute(method: string | undefined, rest: string): ProviderRoute | null {
  if (method === 'POST') {
    if (rest === '/v1/chat/completions') return OPENAI_CHAT;
    if (rest === '/v1/messages') return ANTHROPIC_MESSAGES;
    if (rest === '/v1/embeddings') return EMBEDDINGS;
    return matchGemini(rest);
  }
  if (method === 'GET' && rest === '/v1/models') return MODELS;
  return null;
}

/** Which provider's error shape an unmatched path should get. */
export function formatForPath(rest: string): WireFormat {
  if (rest.startsWith('/v1beta/')) return geminiWire;
  if (rest.startsWith('/v1/messages')) return anthropicWire;
  return openAiWire;
}
