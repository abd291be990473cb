import type { ChatCompletionRequest, ChatMessage } from '@cp/shared/contracts';
import { orderByFit } from './candidate-order';
import { RequestShaper } from './request-shaper';
import { DEFAULT_SHAPING, ShapingConfigSchema, type ShapingConfig } from './shaping-config';
import { budgetFor, levelFor, type ShapingTarget } from './shaping-target';
import type { TokenCounter } from './tokenizer';

/** An exact counter of one token per 4 characters that counts its calls. */
class FakeCounter implements TokenCounter {
  readonly name = 'fake:4';
  readonly exact = true;
  calls = 0;
  count(text: string): number {
    this.calls++;
    return Math.ceil(text.length / 4);
  }
}
const counter = () => new FakeCounter();
const SMALL: ShapingTarget = { provider: 'openai', model: 'gpt-4o', wire: 'openai', contextWindow: 128_000, maxOutput: 16_384 };
const LARGE: ShapingTarget = { provider: 'gemini', model: 'gemini-2.5-pro', wire: 'gemini', contextWindow: 1_048_576, maxOutput: 65_536 };

/** A conversation of `turns` older turns of about `chars` characters each (user question and tool result), then the newest question. */
function conversation(turns: number, chars: number): ChatCompletionRequest {
  const messages: ChatMessage[] = [{ role: 'system', content: 'SYSTEM PROMPT' }];
  for (let t = 0; t < turns; t++) {
    messages.push({ role: 'user', content: `q${t} ${'word '.repeat(chars / 10)}` });
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `call_${t}`, type: 'function', function: { name: 'read', arguments: '{"path":"x"}' } }] });
    messages.push({ role: 'tool', tool_call_id: `call_${t}`, content: 'text '.repeat(chars / 10) });
  }
  messages.push({ role: 'user', content: 'NEWEST QUESTION' });
  return { model: 'long', messages };
}

describe('budgetFor and levelFor', () => {
  it.each([
    // max_tokens, expected budget: window - min(asked, maxOutput) - margin
    [undefined, 128_000 - 16_384 - 1024],
    [1000, 128_000 - 1000 - 1024],
    [50_000, 128_000 - 16_384 - 1024],
  ])('given max_tokens %p on a 128 K model, then the budget is %i', (maxTokens, budget) => {
    expect(budgetFor(SMALL, { model: 'x', messages: [], max_tokens: maxTokens }, DEFAULT_SHAPING).budgetTokens).toBe(budget);
  });

  it.each([
    [70, 'none'],
    [71, 'moderate'],
    [85, 'moderate'],
    [86, 'aggressive'],
    [140, 'aggressive'],
  ])('given %i tokens of a 100-token budget, then the level is %s', (tokens, level) => {
    expect(levelFor(tokens, 100, DEFAULT_SHAPING)).toBe(level);
  });

  it('given configured thresholds, then they move the levels', () => {
    const config = ShapingConfigSchema.parse({ thresholds: { moderate: 0.5, aggressive: 0.6 } });
    expect([levelFor(50, 100, config), levelFor(55, 100, config), levelFor(61, 100, config)]).toEqual(['none', 'moderate', 'aggressive']);
  });

  it('given thresholds in the wrong order, then the config is refused naming them', () => {
    expect(() => ShapingConfigSchema.parse({ thresholds: { moderate: 0.9, aggressive: 0.8 } })).toThrow(/thresholds.moderate must be below/);
  });
});

describe('RequestShaper', () => {
  const shaper = (request: ChatCompletionRequest, c: TokenCounter | undefined, config: ShapingConfig = DEFAULT_SHAPING) => new RequestShaper(request, config, async () => c);

  describe('shapeFor', () => {
    it('given a small request, then the bound settles it: no tokenizer call at all, the request object unchanged', async () => {
      const c = counter();
      const request = conversation(2, 400);
      const out = await shaper(request, c).shapeFor(SMALL);
      expect(out.ok && out.request).toBe(request);
      expect(out.ok && out.record).toMatchObject({ level: 'none', check: 'bound', tokenizer: 'none' });
      expect(c.calls).toBe(0);
    });

    it('given a 400 KB conversation and a 128 K model, then the oldest turns go, the system prompt and the newest turn stay, and it ends under the target', async () => {
      const request = conversation(50, 8000);
      const out = await shaper(request, counter()).shapeFor(SMALL);
      if (!out.ok) throw out.error;
      const budget = 128_000 - 16_384 - 1024;
      expect(out.record).toMatchObject({ level: 'aggressive', check: 'counted', tokenizer: 'fake:4', targetTokens: Math.floor(budget * 0.5) });
      expect(out.record?.tokensAfter).toBeLessThanOrEqual(Math.floor(budget * 0.5));
      expect(out.request.messages[0]).toEqual(request.messages[0]);
      expect(out.request.messages.at(-1)).toEqual(request.messages.at(-1));
      expect(out.request.messages[1].role).toBe('user');
      expect(out.record?.dropped?.[0]).toBe(1);
    });

    it('given the same conversation and a 1 M model, then it goes unshaped without a tokenizer call', async () => {
      const c = counter();
      const request = conversation(50, 8000);
      const out = await shaper(request, c).shapeFor(LARGE);
      expect(out.ok && out.request).toBe(request);
      expect(c.calls).toBe(0);
    });

    it('given a failover from the 1 M model to the 128 K one, then the second candidate gets a shaped request from the same shaper', async () => {
      const s = shaper(conversation(50, 8000), counter());
      const first = await s.shapeFor(LARGE);
      const second = await s.shapeFor(SMALL);
      expect(first.ok && first.request.messages.length).toBe(152);
      expect(second.ok && second.request.messages.length).toBeLessThan(152);
    });

    it('given a request between the thresholds, then it is shaped moderately to the moderate target', async () => {
      const target: ShapingTarget = { ...SMALL, contextWindow: 20_000, maxOutput: 1000 };
      const out = await shaper(conversation(10, 5600), counter()).shapeFor(target);
      const budget = 20_000 - 1000 - 1024;
      expect(out.ok && out.record).toMatchObject({ level: 'moderate', exact: true, targetTokens: Math.floor(budget * 0.7) });
      expect(out.ok && out.record?.tokensAfter).toBeLessThanOrEqual(Math.floor(budget * 0.7));
    });

    it('given a newest turn larger than the whole window even cut, then the answer is context_length_exceeded naming the sizes', async () => {
      const request: ChatCompletionRequest = { model: 'x', messages: [{ role: 'system', content: 'z'.repeat(600_000) }, { role: 'user', content: 'q' }] };
      const out = await shaper(request, counter(), { ...DEFAULT_SHAPING, minCutChars: 590_000 }).shapeFor(SMALL);
      expect(out.ok).toBe(false);
      if (out.ok) return;
      expect(out.error).toMatchObject({ code: 'context_length_exceeded', httpStatus: 400, param: 'messages' });
      expect(out.error.message).toMatch(/openai\/gpt-4o's maximum context length is 128000 tokens; this request needs at least \d+ tokens of input after shaping .* plus 16384 for the output and a margin of 1024/);
    });

    it('given no exact tokenizer for the model, then the widened estimate counts and the record says so', async () => {
      const out = await shaper(conversation(50, 8000), undefined).shapeFor({ ...SMALL, provider: 'claude', model: 'claude-sonnet-4-5', wire: 'anthropic', contextWindow: 200_000, maxOutput: 64_000 });
      expect(out.ok && out.record).toMatchObject({ tokenizer: 'estimate', exact: false, level: 'moderate' });
    });

    it('given the tokenizer budget is spent, then the rest is estimated and the record is not exact', async () => {
      let t = 0;
      const slow: TokenCounter = { name: 'slow', exact: true, count: (text) => ((t += 1000), Math.ceil(text.length / 4)) };
      const s = new RequestShaper(conversation(50, 8000), DEFAULT_SHAPING, async () => slow, () => t);
      const out = await s.shapeFor(SMALL);
      expect(out.ok && out.record).toMatchObject({ exact: false, tokenizer: 'slow' });
    });

    it('given a large request to count exactly, then other work of the process runs between the tokenizer\'s slices', async () => {
      let t = 0;
      const seen: string[] = [];
      const slow: TokenCounter = { name: 'slow', exact: true, count: (text) => (seen.push('count'), (t += 3), Math.ceil(text.length / 4)) };
      const s = new RequestShaper(conversation(50, 8000), { ...DEFAULT_SHAPING, tokenizerBudgetMs: 100_000 }, async () => slow, () => t);
      setImmediate(() => seen.push('other work'));
      await s.shapeFor(SMALL);
      const other = seen.indexOf('other work');
      expect(other).toBeGreaterThan(0);
      expect(other).toBeLessThan(seen.length - 1);
    });

    it('given byte caps, then a request over the none cap is shaped even though its tokens fit', async () => {
      const config = ShapingConfigSchema.parse({ byteCaps: {} });
      const out = await shaper(conversation(60, 8000), counter(), config).shapeFor(LARGE);
      expect(out.ok && out.record).toMatchObject({ level: 'none', targetBytes: 200_000 });
      expect(out.ok && out.record?.bytesAfter).toBeLessThanOrEqual(200_000);
    });

    it('given shaping disabled, then nothing is measured or changed', async () => {
      const request = conversation(50, 8000);
      const out = await shaper(request, counter(), { ...DEFAULT_SHAPING, enabled: false }).shapeFor(SMALL);
      expect(out).toEqual({ ok: true, request });
    });
  });

  describe('fitsWhole with orderByFit', () => {
    const order = (request: ChatCompletionRequest, keepFirst: boolean) => {
      const s = shaper(request, counter());
      return orderByFit([SMALL, LARGE, { ...SMALL, model: 'gpt-4o-mini' }], (t) => s.fitsWhole(t), keepFirst);
    };

    it.each([
      ['a small request: nothing moves', conversation(2, 400), false, ['gpt-4o', 'gemini-2.5-pro', 'gpt-4o-mini'], false],
      ['a 400 KB route request: the 1 M model first, the others after in route order', conversation(50, 8000), false, ['gemini-2.5-pro', 'gpt-4o', 'gpt-4o-mini'], true],
      ['a 400 KB request naming the 128 K model: it stays first, its fallbacks are ordered', conversation(50, 8000), true, ['gpt-4o', 'gemini-2.5-pro', 'gpt-4o-mini'], false],
    ])('given %s', (_name, request, keepFirst, models, reordered) => {
      const out = order(request, keepFirst);
      expect(out.ordered.map((t) => t.model)).toEqual(models);
      expect(out.reordered).toBe(reordered);
    });
  });
});
