import type { ChatCompletionRequest, ChatMessage, ShapingRecord } from '@cp/shared/contracts';
import { ContextLengthExceededError } from './context-length-error';
import { keepOrder } from './conversation-turns';
import { MessageTokens, TokenizerClock } from './message-tokens';
import { MESSAGE_OVERHEAD_TOKENS, messageTexts, REQUEST_OVERHEAD_TOKENS, RequestSize } from './request-size';
import { shapeMessages } from './shape-messages';
import type { ShapingConfig } from './shaping-config';
import { budgetFor, formatTarget, levelFor, targetFor, type Budget, type ShapingTarget } from './shaping-target';
import { estimateTokens } from './token-estimate';
import { tiktokenCounter, tiktokenEncodingFor, type TokenCounter } from './tokenizer';

/** Precounting goes a little past the target: the turn that no longer fits must be counted to know it. */
const PRECOUNT_SLACK = 1.25;

export type ShapeOutcome =
  | { ok: true; request: ChatCompletionRequest; record?: ShapingRecord }
  | { ok: false; error: ContextLengthExceededError; record: ShapingRecord };

/** Loads the exact counter of a model, if it has one (injected in tests). */
export type CounterSource = (target: ShapingTarget) => Promise<TokenCounter | undefined>;

export const tiktokenForTarget: CounterSource = async (target) => {
  const encoding = tiktokenEncodingFor(target.model);
  return encoding ? tiktokenCounter(encoding) : undefined;
};

/**
 * Request shaping for one request, across the candidates it may be sent to. What it learns about
 * the request (sizes, per-message token counts per tokenizer, bytes) is kept for the next candidate,
 * so a failover reshapes without counting again. The first look is `RequestSize`'s upper bound: a
 * request below the moderate threshold by that bound costs a few additions, no tokenizer.
 */
export class RequestShaper {
  private size?: RequestSize;
  private readonly tallies = new Map<string, MessageTokens>();
  private messageBytes?: number[];
  private estimates?: number[];
  private readonly clock: TokenizerClock;

  constructor(
    readonly request: ChatCompletionRequest,
    private readonly config: ShapingConfig,
    private readonly counters: CounterSource = tiktokenForTarget,
    now: () => number = () => performance.now(),
  ) {
    this.clock = new TokenizerClock(config.tokenizerBudgetMs, now);
  }

  /**
   * The request fits this candidate whole (no shaping at all), judged without a tokenizer: by the
   * upper bound, else by the estimate widened by its error band. For ordering candidates only;
   * `shapeFor` decides with the exact count where there is one.
   */
  fitsWhole(target: ShapingTarget): boolean {
    if (!this.config.enabled) return true;
    const { budgetTokens } = budgetFor(target, this.request, this.config);
    const limit = budgetTokens * this.config.thresholds.moderate;
    if (this.withinBound(this.sizes().upperBoundTokens(this.config), budgetTokens)) return true;
    const caps = this.config.byteCaps;
    if (caps && this.totalBytes() > caps.none) return false;
    if (this.bytesUpperBound() <= limit) return true;
    return this.estimatedTokens() * (1 + this.config.estimateErrorBand) <= limit;
  }

  /**
   * The request as it should go to `target`: unchanged when it fits, shaped when it does not, or the
   * 400 when it cannot fit. Synchronous (no promise) when the bound settles it, which is the path
   * of nearly every request.
   */
  shapeFor(target: ShapingTarget): ShapeOutcome | Promise<ShapeOutcome> {
    if (!this.config.enabled) return { ok: true, request: this.request };
    const budget = budgetFor(target, this.request, this.config);
    const upper = this.sizes().upperBoundTokens(this.config);
    if (this.withinBound(upper, budget.budgetTokens)) {
      // Properties listed, not spread: on Node 20 a spread followed by more properties costs microseconds.
      const record: ShapingRecord = { level: 'none', check: 'bound', tokenizer: 'none', exact: false, tokensBefore: upper, budgetTokens: budget.budgetTokens, contextWindow: budget.contextWindow, outputTokens: budget.outputTokens, marginTokens: budget.marginTokens };
      return { ok: true, request: this.request, record };
    }
    return this.shapeCounted(target, budget);
  }

  /** The cheap bound is below the moderate threshold (and the byte cap, when on): nothing to count. */
  private withinBound(upper: number, budgetTokens: number): boolean {
    const caps = this.config.byteCaps;
    return upper <= budgetTokens * this.config.thresholds.moderate && (!caps || 3 * this.sizes().chars <= caps.none);
  }

  private async shapeCounted(target: ShapingTarget, budget: Budget): Promise<ShapeOutcome> {
    const base = budgetFields(budget);
    const tally = await this.tallyFor(target);
    const started = this.clock.now();
    const elapsed = () => Math.round((this.clock.now() - started) * 1000) / 1000;
    const before = await this.tokensBefore(tally, budget);
    const bytesBefore = this.totalBytes();
    const level = levelFor(before.tokens, budget.budgetTokens, this.config);
    const goal = targetFor(level, budget.budgetTokens, this.config);
    const counted = { ...base, check: 'counted' as const, tokenizer: tally.name, tokensBefore: before.tokens, bytesBefore };
    if (level === 'none' && bytesBefore <= goal.bytes) return { ok: true, request: this.request, record: { ...counted, level, exact: before.exact, ms: elapsed() } };

    // What shaping will keep is counted first, yielding to other requests; shapeMessages then reads the cache.
    await tally.precount(keepOrder(this.request.messages), goal.tokens * PRECOUNT_SLACK);
    const shaped = shapeMessages(this.request.messages, this.costs(tally), {
      targetTokens: goal.tokens,
      targetBytes: goal.bytes,
      budgetTokens: budget.budgetTokens,
      fixedTokens: this.fixedTokens(tally),
      minCutChars: this.config.minCutChars,
    });
    const record: ShapingRecord = {
      ...counted,
      level,
      exact: before.exact && tally.exact,
      targetTokens: goal.tokens,
      ...(Number.isFinite(goal.bytes) ? { targetBytes: goal.bytes } : {}),
      tokensAfter: shaped.tokens,
      bytesAfter: shaped.bytes,
      dropped: shaped.dropped,
      cut: shaped.cut,
      ms: elapsed(),
    };
    if (shaped.tokens > budget.budgetTokens) {
      return { ok: false, error: new ContextLengthExceededError(formatTarget(target), budget.contextWindow, shaped.tokens, budget.outputTokens, budget.marginTokens), record };
    }
    return { ok: true, request: { ...this.request, messages: shaped.messages }, record };
  }

  /**
   * Tokens before shaping. With an exact tokenizer the estimate decides first when it is clear of
   * both thresholds by its error band (a 400 KB conversation for a 128 K model is aggressive
   * whatever the exact count), so the tokenizer only ever reads what shaping keeps.
   */
  private async tokensBefore(tally: MessageTokens, budget: Budget): Promise<{ tokens: number; exact: boolean }> {
    const band = 1 + this.config.estimateErrorBand;
    const bytesBound = this.bytesUpperBound();
    if (bytesBound <= budget.budgetTokens * this.config.thresholds.moderate) return { tokens: bytesBound, exact: false };
    if (tally.exact) {
      const estimate = this.estimatedTokens();
      if (estimate * band <= budget.budgetTokens * this.config.thresholds.moderate) return { tokens: Math.ceil(estimate * band), exact: false };
      if (estimate / band > budget.budgetTokens * this.config.thresholds.aggressive) return { tokens: Math.ceil(estimate), exact: false };
    }
    await tally.precount(this.request.messages.keys(), Number.POSITIVE_INFINITY);
    let tokens = this.fixedTokens(tally);
    for (let i = 0; i < this.request.messages.length; i++) tokens += tally.tokens(i);
    return { tokens, exact: tally.exact };
  }

  private async tallyFor(target: ShapingTarget): Promise<MessageTokens> {
    const counter = await this.counters(target);
    const name = counter?.name ?? 'estimate';
    let tally = this.tallies.get(name);
    if (!tally) {
      tally = new MessageTokens(this.request.messages, counter, this.config, this.clock);
      this.tallies.set(name, tally);
    }
    return tally;
  }

  private costs(tally: MessageTokens) {
    return {
      tokens: (i: number) => tally.tokens(i),
      bytes: (i: number) => this.bytesOf(i),
      measure: (message: ChatMessage) => ({ tokens: tally.measure(message), bytes: textBytes(message) }),
    };
  }

  private fixedTokens(tally: MessageTokens): number {
    const tools = this.request.tools && this.request.tools.length > 0 ? tally.text(JSON.stringify(this.request.tools)) : 0;
    return REQUEST_OVERHEAD_TOKENS + tools;
  }

  private sizes(): RequestSize {
    this.size ??= new RequestSize(this.request);
    return this.size;
  }

  /** The calibrated estimate of the whole request, unwidened (one pass over its text, kept). */
  private estimatedTokens(): number {
    this.estimates ??= this.request.messages.map((m) => messageTexts(m).reduce((n, text) => n + estimateTokens(text), 0));
    const size = this.sizes();
    const tools = size.toolChars > 0 ? estimateTokens(JSON.stringify(this.request.tools)) : 0;
    return this.estimates.reduce((a, b) => a + b, 0) + size.images * this.config.imageTokens + tools + REQUEST_OVERHEAD_TOKENS;
  }

  /** No token is shorter than a UTF-8 byte: the message bytes bound the tokens, tighter than the character bound for most text. */
  private bytesUpperBound(): number {
    const size = this.sizes();
    return this.totalBytes() + 3 * size.toolChars + size.images * this.config.imageTokens + this.request.messages.length * MESSAGE_OVERHEAD_TOKENS + REQUEST_OVERHEAD_TOKENS;
  }

  private bytesOf(index: number): number {
    this.messageBytes ??= this.request.messages.map(textBytes);
    return this.messageBytes[index];
  }

  private totalBytes(): number {
    let sum = 0;
    for (let i = 0; i < this.request.messages.length; i++) sum += this.bytesOf(i);
    return sum;
  }
}

/** UTF-8 bytes of a message's texts (images are counted in tokens, not bytes). */
export function textBytes(message: ChatMessage): number {
  let n = 0;
  for (const text of messageTexts(message)) n += Buffer.byteLength(text, 'utf8');
  return n;
}

function budgetFields(budget: Budget) {
  return { budgetTokens: budget.budgetTokens, contextWindow: budget.contextWindow, outputTokens: budget.outputTokens, marginTokens: budget.marginTokens };
}
