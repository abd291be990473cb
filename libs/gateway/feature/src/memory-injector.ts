import { createHash } from 'node:crypto';
import { buildMemoryBlock } from '@cp/memory-plane/domain';
import { MemoryQuery, PrefLearn, RememberItems, type ChatCompletionRequest, type ChatMessage } from '@cp/shared/contracts';
import type { NatsBus } from '@cp/shared/messaging';
import type { Context, Logger } from '@cp/shared/telemetry';
import type { z } from 'zod';
import type { ItemDescriber } from './item-describer';

/** What one request asked of memory: decided from the key's configuration and the `x-cp-memory` header. */
export interface MemoryMode {
  inject: boolean;
  learn: boolean;
}

/** What the ledger records about memory for one request. */
export interface MemoryTrail {
  status: 'ok' | 'degraded';
  /** Layers that did not answer, or `memory-plane` when the memory plane itself did not. */
  degraded?: string[];
  /** What went into the system prompt, in order. */
  items: { id: string; layer: string }[];
  tokens?: number;
  tookMs: number;
}

export interface InjectorOptions {
  deadlineMs: number;
  tokenBudget: number;
  resultLimit: number;
}

/**
 * Memory into the request: asks the memory plane (one RPC, under a deadline) for the status and
 * the top results for the latest user message, and puts one memory block in the system prompt.
 * When the memory plane is slow or away the request goes on unchanged and the trail says
 * `degraded`. Learning (preferences from the user's message, files seen) happens after the
 * answer, off the request path.
 */
export class MemoryInjector {
  constructor(
    private readonly bus: NatsBus,
    private readonly logger: Logger,
    private readonly opts: InjectorOptions,
    /** Describes remembered images after the answer; none: they are remembered without a description. */
    private readonly describer?: ItemDescriber,
  ) {}

  async inject(request: ChatCompletionRequest, traceContext?: Context): Promise<{ request: ChatCompletionRequest; trail: MemoryTrail }> {
    const started = performance.now();
    const text = latestUserText(request);
    const took = () => Math.round((performance.now() - started) * 100) / 100;
    let reply;
    try {
      reply = await this.bus.request(MemoryQuery, text ? { query: text.slice(0, 8000), limit: this.opts.resultLimit, withStatus: true } : { query: 'status', layers: ['status'], withStatus: true }, this.opts.deadlineMs, traceContext);
    } catch {
      return { request, trail: { status: 'degraded', degraded: ['memory-plane'], items: [], tookMs: took() } };
    }
    if ('error' in reply) return { request, trail: { status: 'degraded', degraded: ['memory-plane'], items: [], tookMs: took() } };
    const block = buildMemoryBlock({ status: reply.status ?? [], results: reply.results }, this.opts.tokenBudget);
    const trail: MemoryTrail = { status: reply.degraded.length > 0 ? 'degraded' : 'ok', ...(reply.degraded.length > 0 ? { degraded: reply.degraded } : {}), items: block?.items ?? [], ...(block ? { tokens: block.tokens } : {}), tookMs: took() };
    return { request: block ? withSystemBlock(request, block.text) : request, trail };
  }

  /** After the answer: preferences from the latest user message, and images seen, by content hash. Never awaited by the request. */
  learnLater(requestId: string, request: ChatCompletionRequest, mode: MemoryMode): void {
    setImmediate(() => {
      const text = mode.learn ? latestUserText(request) : '';
      if (text) void this.bus.request(PrefLearn, { requestId, text: text.slice(0, 32_000) }, 5_000).catch((err: unknown) => this.logger.warn({ requestId, err: String(err) }, 'preference learning did not reach the memory plane'));
      const images = mode.inject || mode.learn ? seenImages(request) : [];
      if (images.length > 0) {
        void this.bus
          .request(RememberItems, { requestId, items: images.map((i) => i.item) }, 5_000)
          .then((reply) => this.describeLater(requestId, reply, images))
          .catch((err: unknown) => this.logger.warn({ requestId, err: String(err) }, 'remembering files did not reach the memory plane'));
      }
    });
  }

  /** Items the memory plane has no description of go to the describer with the image the request sent. */
  private describeLater(requestId: string, reply: z.infer<typeof RememberItems.reply>, images: SeenImage[]): void {
    if (!this.describer || 'error' in reply) return;
    for (const { itemId, contentHash } of reply.undescribed ?? []) {
      const image = images.find((i) => i.item.contentHash === contentHash);
      if (image) this.describer.enqueue({ requestId, itemId, contentHash, imageUrl: image.url });
    }
  }
}

/** The text of the last user message (text parts joined). */
export function latestUserText(request: ChatCompletionRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m.role !== 'user') continue;
    return typeof m.content === 'string' ? m.content : m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
  }
  return '';
}

/** The request with the memory block added to its system prompt (appended to a leading system message, or as a new first one). */
export function withSystemBlock(request: ChatCompletionRequest, block: string): ChatCompletionRequest {
  const [first, ...rest] = request.messages;
  if (first && first.role === 'system') {
    const content = typeof first.content === 'string' ? `${first.content}\n\n${block}` : [...first.content, { type: 'text' as const, text: block }];
    return { ...request, messages: [{ ...first, content } as ChatMessage, ...rest] };
  }
  return { ...request, messages: [{ role: 'system', content: block }, ...request.messages] };
}

/** An inline image of a request: what the memory plane is told (no bytes), and the data URL for the describer. */
interface SeenImage {
  item: { contentHash: string; filename: string | null; mediaType: string; bytes: number };
  url: string;
}

/** Inline images (data URLs) of the request's user messages: content hash, media type, size. At most 8. */
function seenImages(request: ChatCompletionRequest): SeenImage[] {
  const out: SeenImage[] = [];
  for (const m of request.messages) {
    if (m.role !== 'user' || typeof m.content === 'string') continue;
    for (const p of m.content) {
      if (p.type !== 'image_url' || out.length >= 8) continue;
      const match = /^data:([\w.+/-]{1,100});base64,/.exec(p.image_url.url);
      if (!match) continue;
      const bytes = Buffer.from(p.image_url.url.slice(match[0].length), 'base64');
      out.push({ item: { contentHash: createHash('sha256').update(bytes).digest('hex'), filename: null, mediaType: match[1], bytes: bytes.length }, url: p.image_url.url });
    }
  }
  return out;
}
