import type { ChatMessage } from '@cp/shared/contracts';
import { imageCount, MESSAGE_OVERHEAD_TOKENS, messageTexts } from './request-size';
import type { ShapingConfig } from './shaping-config';
import { estimateTokens } from './token-estimate';
import type { TokenCounter } from './tokenizer';

/** How long counting may hold the event loop before it lets other work run. */
const PRECOUNT_SLICE_MS = 5;
/** Pieces a long text is counted in while precounting, each cut at a space when there is one. */
const PIECE_CHARS = 16_384;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `text` in pieces of at most PIECE_CHARS, cut after a space where possible (one token more per cut at most). */
function* pieces(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + PIECE_CHARS);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start + PIECE_CHARS / 2) end = space;
    }
    yield text.slice(start, end);
    start = end;
  }
}

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

  /**
   * Counts these messages ahead (in this order, until their sum passes `untilTokens`), giving the
   * event loop a turn whenever the tokenizer has held it for `sliceMs`, so a large request being
   * counted does not stall the other requests of the process. Later `tokens(i)` calls hit the cache.
   */
  async precount(indexes: Iterable<number>, untilTokens: number, sliceMs = PRECOUNT_SLICE_MS): Promise<void> {
    if (!this.counter) return;
    let sum = 0;
    let sliceStart = this.clock.now();
    for (const i of indexes) {
      let n = this.counts[i];
      if (n === undefined) {
        const message = this.messages[i];
        n = MESSAGE_OVERHEAD_TOKENS + imageCount(message) * this.config.imageTokens;
        for (const text of messageTexts(message)) {
          for (const piece of pieces(text)) {
            n += this.text(piece);
            if (this.clock.now() - sliceStart >= sliceMs) {
              await yieldToEventLoop();
              sliceStart = this.clock.now();
            }
          }
        }
        this.counts[i] = n;
      }
      sum += n;
      if (sum > untilTokens) return;
    }
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
