import type { Tiktoken } from 'js-tiktoken/lite';

/** Counts the tokens of a text. `exact` when it is the provider's own tokenizer. */
export interface TokenCounter {
  readonly name: string;
  readonly exact: boolean;
  count(text: string): number;
}

export type TiktokenEncoding = 'o200k_base' | 'cl100k_base';

/**
 * OpenAI's published tokenizers by model family: o200k_base for GPT-4o, 4.1, 4.5, 5 and the o-series,
 * cl100k_base for GPT-4 and 3.5. Prefixes, so dated snapshots (`gpt-4o-2024-08-06`) match too.
 * Other models (Claude, Gemini, Qwen, ...) have no published tokenizer here: undefined.
 */
export function tiktokenEncodingFor(modelId: string): TiktokenEncoding | undefined {
  const id = modelId.toLowerCase();
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o[134](-|$))/.test(id)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|gpt-35)/.test(id)) return 'cl100k_base';
  return undefined;
}

/** Text between two whitespace-aware cuts; small enough that one encode call stays short. */
const CHUNK_CHARS = 1024;
/**
 * A run of letters (or of punctuation) this long is one BPE piece, and BPE merging is quadratic in a
 * piece's length (a 4,000-letter word costs seconds in js-tiktoken): such runs are not given to the
 * tokenizer but counted at 2 characters per token, which overcounts every real text we measured.
 */
const LONG_RUN = /[\p{L}\p{M}]{65,}|[^\s\p{L}\p{M}\p{N}]{65,}/gu;

class TiktokenCounter implements TokenCounter {
  readonly exact = true;
  readonly name: string;

  constructor(
    private readonly encoding: Tiktoken,
    encodingName: TiktokenEncoding,
  ) {
    this.name = `tiktoken:${encodingName}`;
  }

  count(text: string): number {
    let tokens = 0;
    let last = 0;
    LONG_RUN.lastIndex = 0;
    for (let run = LONG_RUN.exec(text); run !== null; run = LONG_RUN.exec(text)) {
      tokens += this.countChunked(text, last, run.index) + Math.ceil(run[0].length / 2);
      last = run.index + run[0].length;
    }
    return tokens + this.countChunked(text, last, text.length);
  }

  private countChunked(text: string, from: number, to: number): number {
    let tokens = 0;
    let start = from;
    while (start < to) {
      let end = Math.min(to, start + CHUNK_CHARS);
      if (end < to) {
        const space = text.lastIndexOf(' ', end);
        if (space > start + CHUNK_CHARS / 2) end = space;
      }
      // Special-token text in client input is ordinary text (as OpenAI counts it), never an error.
      tokens += this.encoding.encode(text.slice(start, end), [], []).length;
      start = end;
    }
    return tokens;
  }
}

const loading = new Map<TiktokenEncoding, Promise<TokenCounter>>();

/**
 * The tiktoken counter for an encoding, loaded on first use and kept for the process. Loading parses
 * the rank table (about 1-2 s of CPU and tens of MB for o200k_base), so nothing loads it until a
 * request large enough to need exact counting comes for an OpenAI model.
 */
export function tiktokenCounter(encoding: TiktokenEncoding): Promise<TokenCounter> {
  let counter = loading.get(encoding);
  if (!counter) {
    counter = loadTiktoken(encoding);
    loading.set(encoding, counter);
    counter.catch(() => loading.delete(encoding));
  }
  return counter;
}

async function loadTiktoken(encoding: TiktokenEncoding): Promise<TokenCounter> {
  const { Tiktoken } = await import('js-tiktoken/lite');
  const ranks = encoding === 'o200k_base' ? await import('js-tiktoken/ranks/o200k_base') : await import('js-tiktoken/ranks/cl100k_base');
  return new TiktokenCounter(new Tiktoken(ranks.default), encoding);
}
