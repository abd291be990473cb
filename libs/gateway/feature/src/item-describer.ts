import { DescribeItem, MAX_ITEM_DESCRIPTION_CHARS, type ChatCompletionRequest, type ChatCompletionResponse, newId } from '@cp/shared/contracts';
import type { CompletionPipeline, CompletionRequest, CompletionResult } from '@cp/router/data-plane';
import type { NatsBus } from '@cp/shared/messaging';
import type { Logger } from '@cp/shared/telemetry';
import { RequestLedger, type Recorded } from './request-ledger';

/** What the vision model is asked, always the same: a description that reads well as a search target. */
export const DESCRIBE_INSTRUCTION =
  'Describe this image in one to three plain sentences for a searchable memory: what it shows, the kind of image (photo, screenshot, diagram, chart, document), and any clearly visible text. Answer with the description only.';

/** The longest answer asked of the model; the description is cut to `MAX_ITEM_DESCRIPTION_CHARS` anyway. */
const DESCRIBE_MAX_TOKENS = 200;

/** Image data the queue may hold at once, whatever its length: jobs beyond it are dropped like jobs beyond the queue length. */
export const DESCRIBE_QUEUE_MAX_BYTES = 32 * 1024 * 1024;

/** One remembered image to describe: the item the memory plane named, and the image as the request sent it. */
export interface DescribeJob {
  /** The request the image came with (the memory event's correlation id). */
  requestId: string;
  itemId: string;
  contentHash: string;
  /** The data URL as the client sent it: the bytes never cross the bus, only the description does. */
  imageUrl: string;
}

export interface DescriberOptions {
  /** What the describing request asks for: `auto` (the vision route for an image), a route, or a model. */
  model: string;
  timeoutMs: number;
  concurrency: number;
  queueSize: number;
}

/** What the describer uses: the completion pipeline, a ledger per describing call, the memory plane's describe RPC. */
export interface DescriberPorts {
  complete(req: CompletionRequest): Promise<CompletionResult>;
  /** Opened before the call (journalled), recorded once after it. */
  ledger(describeRequestId: string, request: ChatCompletionRequest): { record(r: Recorded): void };
  store(job: DescribeJob, description: string, model: string, describeRequestId: string): Promise<void>;
  newId(): string;
  now(): number;
}

export type EnqueueOutcome = 'queued' | 'duplicate' | 'dropped';

/**
 * Describes remembered images after the answer, never on a request's path: a small queue (bounded
 * in jobs and in bytes; a job beyond it is dropped with a log line) drained by a few workers, each
 * job one chat completion with the image and a fixed instruction through the gateway's own
 * pipeline (route choice with the vision capability, breakers, failover) under a deadline. The
 * describing call gets its own ledger event, marked `trail.internal`. A failure or a timeout is
 * logged and leaves the item without a description; the memory plane reports it undescribed again
 * the next time the image is seen.
 */
export class ItemDescriber {
  private readonly queue: DescribeJob[] = [];
  /** Content hashes queued or being described: the same image in two requests is described once. */
  private readonly pending = new Set<string>();
  private queuedBytes = 0;
  private running = 0;

  constructor(
    private readonly ports: DescriberPorts,
    private readonly logger: Logger,
    private readonly opts: DescriberOptions,
  ) {}

  enqueue(job: DescribeJob): EnqueueOutcome {
    if (this.pending.has(job.contentHash)) return 'duplicate';
    if (this.queue.length >= this.opts.queueSize || this.queuedBytes + job.imageUrl.length > DESCRIBE_QUEUE_MAX_BYTES) {
      this.logger.warn({ requestId: job.requestId, itemId: job.itemId, queued: this.queue.length, running: this.running }, 'image description dropped: the describe queue is full');
      return 'dropped';
    }
    this.pending.add(job.contentHash);
    this.queue.push(job);
    this.queuedBytes += job.imageUrl.length;
    this.pump();
    return 'queued';
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.queuedBytes -= job.imageUrl.length;
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        this.pending.delete(job.contentHash);
        this.pump();
      });
    }
  }

  private async run(job: DescribeJob): Promise<void> {
    const describeRequestId = this.ports.newId();
    const request = describeRequest(this.opts.model, job.imageUrl);
    const ledger = this.ports.ledger(describeRequestId, request);
    const started = this.ports.now();
    const internal = { kind: 'memory-describe', requestId: job.requestId, itemId: job.itemId };
    const log = { requestId: job.requestId, describeRequestId, itemId: job.itemId };
    let result: CompletionResult;
    try {
      result = await this.ports.complete({ request, deadlineAt: started + this.opts.timeoutMs, requestId: describeRequestId });
    } catch (err) {
      ledger.record({ status: 500, outcome: 'error', error: { code: 'INTERNAL', message: 'internal error' }, trail: { attempts: [], failover: false, internal } });
      this.logger.warn({ ...log, err: err instanceof Error ? err.message : String(err) }, 'image description failed: the pipeline threw');
      return;
    }
    const routerMs = this.ports.now() - started;
    if (!result.ok) {
      ledger.record({ status: result.error.status, outcome: 'error', error: { code: result.error.code, message: result.error.message }, trail: { ...result.trail, internal }, routerMs });
      this.logger.warn({ ...log, code: result.error.code, status: result.error.status }, 'image description failed; the item stays without one');
      return;
    }
    ledger.record({ status: 200, outcome: 'ok', provider: result.provider, providerModel: result.model, usage: result.response.usage, trail: { ...result.trail, internal }, routerMs });
    const description = descriptionOf(result.response);
    if (!description) {
      this.logger.warn(log, 'image description failed: the model answered no text');
      return;
    }
    try {
      await this.ports.store(job, description, `${result.provider}/${result.model}`, describeRequestId);
    } catch (err) {
      this.logger.warn({ ...log, err: err instanceof Error ? err.message : String(err) }, 'image description did not reach the memory plane');
    }
  }
}

/** The describing request: the fixed instruction and the image, a short answer, no tools, no stream. */
export function describeRequest(model: string, imageUrl: string): ChatCompletionRequest {
  return {
    model,
    messages: [{ role: 'user', content: [{ type: 'text', text: DESCRIBE_INSTRUCTION }, { type: 'image_url', image_url: { url: imageUrl } }] }],
    max_tokens: DESCRIBE_MAX_TOKENS,
    temperature: 0,
  };
}

/** The answer's text as one line (whitespace collapsed), cut to what the memory plane stores; null when there is none. */
export function descriptionOf(response: ChatCompletionResponse): string | null {
  const text = (response.choices[0]?.message.content ?? '').replace(/\s+/g, ' ').trim();
  if (!text) return null;
  if (text.length <= MAX_ITEM_DESCRIPTION_CHARS) return text;
  const cut = text.slice(0, MAX_ITEM_DESCRIPTION_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_ITEM_DESCRIPTION_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}

/** The ports as the gateway runs them: its own pipeline, a ledger event per describing call (not in the HTTP metrics), the memory plane over NATS. */
export function gatewayDescriberPorts(bus: NatsBus, pipeline: CompletionPipeline): DescriberPorts {
  return {
    complete: (req) => pipeline.complete(req),
    ledger: (id, request) => new RequestLedger(bus, id, request),
    store: async (job, description, model, describeRequestId) => {
      const reply = await bus.request(DescribeItem, { itemId: job.itemId, description, model, requestId: job.requestId, describeRequestId }, 5_000);
      if ('error' in reply) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    },
    newId,
    now: Date.now,
  };
}
