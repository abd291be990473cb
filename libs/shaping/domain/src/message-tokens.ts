import type { ChatMessage } from '@cp/shared/contracts';
import { imageCount, MESSAGE_OVERHEAD_TOKENS, messageTexts } from './request-size';
import type { ShapingConfig } from './shaping-config';
import { estimateTokens } from './token-estimate';
import type { TokenCounter } from './tokenizer';

/** CPU the exact tokenizer has spent on one request, shared by every candidate's tally. */
export class TokenizerClock {
  spentMs = 0;
  constructor(
    readonly budgetMs: number,
    readonly now: () => number,
  ) {}

  get exhausted(): boolean {
    return this.spentMs >= this.budgetMs;
  }
}

/**
 * The tokens of each message of one request under one tokenizer, counted when first asked and
 * kept. With an exact counter, counting stops being exact once the request's tokenizer budget is
 * spent: the rest is the calibrated estimate widened by the error band, and `exact` turns false.
 * Without one, every figure is that widened estimate.
 */
export class MessageTokens {
  private readonly counts: (number | undefined)[];
  private allExact: boolean;

  constructor(
    private readonly messages: ChatMessage[],
    private readonly counter: TokenCounter | undefined,
    private readonly config: ShapingConfig,
    private readonly clock: TokenizerClock,
  ) {
    this.counts = new Array<number | undefined>(messages.length);
    this.allExact = counter?.exact === true;
  }

  get name(): string {
    return this.counter?.name ?? 'estimate';
  }

  /** Every figure given so far came from the provider's own tokenizer. */
  get exact(): boolean {
    return this.allExact;
  }

  tokens(index: number): number {
    let n = this.counts[index];
    if (n === undefined) {
      n = this.measure(this.messages[index]);
      this.counts[index] = n;
    }
    return n;
  }

  /** Tokens of any message (a cut one, not cached), including its images and framing. */
  measure(message: ChatMessage): number {
    let n = MESSAGE_OVERHEAD_TOKENS + imageCount(message) * this.config.imageTokens;
    for (const text of messageTexts(message)) n += this.text(text);
    return n;
  }

  text(text: string): number {
    if (text.length === 0) return 0;
    if (this.counter && !this.clock.exhausted) {
      const started = this.clock.now();
      const n = this.counter.count(text);
      this.clock.spentMs += this.clock.now() - started;
      return n;
    }
    if (this.counter) this.allExact = false;
    return Math.ceil(estimateTokens(text) * (1 + this.config.estimateErrorBand));
  }
}
