import { MAX_ITEM_DESCRIPTION_CHARS, type ChatCompletionRequest, type ChatCompletionResponse } from '@cp/shared/contracts';
import type { CompletionRequest, CompletionResult } from '@cp/router/data-plane';
import { createLogger } from '@cp/shared/telemetry';
import { DESCRIBE_INSTRUCTION, describeRequest, descriptionOf, ItemDescriber, type DescribeJob, type DescriberPorts } from './item-describer';
import type { Recorded } from './request-ledger';

const IMAGE = 'data:image/png;base64,iVBORw0KGgo=';
const answer = (content: string | null): ChatCompletionResponse => ({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
const served = (content: string | null): CompletionResult => ({ ok: true, response: answer(content), provider: 'qwen', model: 'qwen2.5-vl-72b-instruct', trail: { attempts: [], failover: false } });
const job = (n: number, hash = `h${n}`): DescribeJob => ({ requestId: `req-${n}`, itemId: `item-${n}`, contentHash: hash, imageUrl: IMAGE });

/** A describer over ports that record what they were given; each completion waits until the test settles it. */
function harness(opts: { concurrency?: number; queueSize?: number } = {}) {
  const calls: { req: CompletionRequest; settle: (r: CompletionResult | Error) => void }[] = [];
  const recorded: { id: string; request: ChatCompletionRequest; result?: Recorded }[] = [];
  const stored: { itemId: string; description: string; model: string; describeRequestId: string }[] = [];
  const logs: string[] = [];
  let storeFails = false;
  let ids = 0;
  const ports: DescriberPorts = {
    complete: (req) =>
      new Promise((resolve, reject) => calls.push({ req, settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) })),
    ledger: (id, request) => {
      const entry: (typeof recorded)[number] = { id, request };
      recorded.push(entry);
      return { record: (r) => void (entry.result = r) };
    },
    store: async (j, description, model, describeRequestId) => {
      if (storeFails) throw new Error('memory plane away');
      stored.push({ itemId: j.itemId, description, model, describeRequestId });
    },
    newId: () => `describe-${++ids}`,
    now: () => 1_000,
  };
  const logger = createLogger('test', 'info', { write: (line: string) => void logs.push(line) });
  const describer = new ItemDescriber(ports, logger, { model: 'auto', timeoutMs: 5_000, concurrency: opts.concurrency ?? 2, queueSize: opts.queueSize ?? 4 });
  const settled = () => new Promise((r) => setImmediate(r));
  return { describer, calls, recorded, stored, logs, settled, failStore: () => (storeFails = true) };
}

describe('describeRequest', () => {
  it('Given a model and an image, Then the request carries the fixed instruction and the image, short and without tools or stream', () => {
    const req = describeRequest('auto', IMAGE);
    expect(req).toMatchObject({ model: 'auto', max_tokens: expect.any(Number), temperature: 0 });
    expect(req.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: DESCRIBE_INSTRUCTION }, { type: 'image_url', image_url: { url: IMAGE } }] }]);
    expect(req.stream).toBeUndefined();
    expect(req.tools).toBeUndefined();
  });
});

describe('descriptionOf', () => {
  it.each([
    ['text on several lines', '  A bar chart\n\nof  revenue. ', 'A bar chart of revenue.'],
    ['no content', null, null],
    ['whitespace only', ' \n\t ', null],
  ])('Given %s (%j), Then the description is %j', (_c, content, expected) => {
    expect(descriptionOf(answer(content))).toBe(expected);
  });

  it('Given an answer longer than the memory plane stores, Then it is cut at a word boundary within the bound', () => {
    const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const d = descriptionOf(answer(long))!;
    expect(d.length).toBeLessThanOrEqual(MAX_ITEM_DESCRIPTION_CHARS);
    expect(d.endsWith('…')).toBe(true);
    expect(long.startsWith(d.slice(0, -1))).toBe(true);
    expect(d.slice(0, -1).endsWith(' ')).toBe(false);
  });
});

describe('ItemDescriber', () => {
  describe('enqueue', () => {
    it('Given a served description, Then it is stored with the model that wrote it, and the describing call is recorded as an internal call of the request', async () => {
      const h = harness();
      expect(h.describer.enqueue(job(1))).toBe('queued');
      expect(h.calls).toHaveLength(1);
      expect(h.calls[0].req).toMatchObject({ deadlineAt: 6_000, requestId: 'describe-1', request: { model: 'auto' } });
      h.calls[0].settle(served('A screenshot of a login form.'));
      await h.settled();
      expect(h.stored).toEqual([{ itemId: 'item-1', description: 'A screenshot of a login form.', model: 'qwen/qwen2.5-vl-72b-instruct', describeRequestId: 'describe-1' }]);
      expect(h.recorded).toHaveLength(1);
      expect(h.recorded[0].result).toMatchObject({ status: 200, outcome: 'ok', provider: 'qwen', trail: { internal: { kind: 'memory-describe', requestId: 'req-1', itemId: 'item-1' } } });
    });

    it.each([
      ['the pipeline answers an error', () => ({ ok: false, error: { status: 504, code: 'ROUTER.DEADLINE_EXCEEDED', type: 'server_error', message: 'deadline' }, trail: { attempts: [], failover: false } }) as CompletionResult, 504],
      ['the pipeline throws', () => new Error('bug'), 500],
    ])('Given %s, Then nothing is stored, the failure is recorded as internal and logged', async (_c, outcome, status) => {
      const h = harness();
      h.describer.enqueue(job(1));
      h.calls[0].settle(outcome());
      await h.settled();
      expect(h.stored).toEqual([]);
      expect(h.recorded[0].result).toMatchObject({ status, outcome: 'error', trail: { internal: { kind: 'memory-describe', itemId: 'item-1' } } });
      expect(h.logs.join('\n')).toContain('image description failed');
    });

    it('Given an empty answer, Then nothing is stored and it is logged', async () => {
      const h = harness();
      h.describer.enqueue(job(1));
      h.calls[0].settle(served('   '));
      await h.settled();
      expect(h.stored).toEqual([]);
      expect(h.logs.join('\n')).toContain('answered no text');
    });

    it('Given the memory plane away when storing, Then the failure is logged and the describer goes on with the next job', async () => {
      const h = harness({ concurrency: 1 });
      h.failStore();
      h.describer.enqueue(job(1));
      h.describer.enqueue(job(2));
      h.calls[0].settle(served('first'));
      await h.settled();
      expect(h.logs.join('\n')).toContain('did not reach the memory plane');
      expect(h.calls).toHaveLength(2);
    });

    it('Given concurrency 1 and a queue of 2, When four images come, Then one runs, two wait, the fourth is dropped with a log line, and the waiting ones run in order', async () => {
      const h = harness({ concurrency: 1, queueSize: 2 });
      expect([1, 2, 3, 4].map((n) => h.describer.enqueue(job(n)))).toEqual(['queued', 'queued', 'queued', 'dropped']);
      expect(h.calls).toHaveLength(1);
      expect(h.logs.join('\n')).toContain('describe queue is full');
      h.calls[0].settle(served('one'));
      await h.settled();
      expect(h.calls.map((c) => c.req.requestId)).toEqual(['describe-1', 'describe-2']);
      h.calls[1].settle(served('two'));
      await h.settled();
      h.calls[2].settle(served('three'));
      await h.settled();
      expect(h.stored.map((s) => s.itemId)).toEqual(['item-1', 'item-2', 'item-3']);
    });

    it('Given the same image queued or being described, When it comes again, Then it is not described twice; once done, it may be queued again', async () => {
      const h = harness();
      expect(h.describer.enqueue(job(1, 'same'))).toBe('queued');
      expect(h.describer.enqueue(job(2, 'same'))).toBe('duplicate');
      h.calls[0].settle(served('x'));
      await h.settled();
      expect(h.describer.enqueue(job(3, 'same'))).toBe('queued');
      expect(h.calls).toHaveLength(2);
    });
  });
});
