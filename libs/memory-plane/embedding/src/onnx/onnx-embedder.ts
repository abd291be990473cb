import type { Tokenizer } from '@huggingface/tokenizers';
import { normalize, type Embedder } from '../embedder';
import { OnnxModelError } from './onnx-model-error';
import { readOnnxModelFolder, type OnnxModelFolder } from './onnx-model-folder';
import { OnnxSessionWorker, type Feed, type Priority, type SessionInfo } from './onnx-session-worker';
import { meanPool, padBatch, splitRows, truncateTokens, type TokenBatch, type TokenizedText } from './token-batch';

export interface OnnxEmbedderOptions {
  /** Longest input in tokens (special tokens included); lowered to the model's own limit when a file names one. */
  maxTokens?: number;
  /** Most texts per inference. */
  batchSize?: number;
  /** Most padded tokens (texts x longest) per inference: long chunks go a few at a time, short texts many. */
  batchTokens?: number;
  /** onnxruntime intra-op threads; 0 lets onnxruntime choose (one per physical core). */
  threads?: number;
}

const TOKEN_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
type TokenInput = (typeof TOKEN_INPUTS)[number];
/** Outputs tried in this order: the model's own sentence vector, then token vectors to mean-pool. */
const OUTPUTS = ['sentence_embedding', 'last_hidden_state', 'token_embeddings'];
/** A text is cut at this many characters per allowed token before tokenising, so a huge text costs no more than a long one. */
const CHARS_PER_TOKEN_BOUND = 32;
/** Texts tokenised between two turns of the event loop (about 1 ms per 200-word chunk). */
const TOKENIZE_SLICE = 16;
/** Calls with at most this many texts (queries, small ingests) go before queued batches of larger ones. */
const QUERY_SIZED = 4;

/**
 * A local sentence model: `model.onnx` run by onnxruntime (on a worker thread), `tokenizer.json`
 * read by Hugging Face's tokenizers.js, from one folder (no download). Vectors are the model's
 * `sentence_embedding` when it has one, else its token vectors mean-pooled over the attention mask;
 * always L2-normalised. `load` checks the folder, the model's inputs and outputs, and learns the
 * dimension from a probe.
 */
export class OnnxEmbedder implements Embedder {
  private dim = 0;

  private constructor(
    private readonly folder: OnnxModelFolder,
    private readonly session: OnnxSessionWorker,
    private readonly tokenizer: Tokenizer,
    private readonly output: string,
    private readonly intInputs: 'int64' | 'int32',
    readonly maxTokens: number,
    private readonly batching: { texts: number; tokens: number },
    private readonly closing: number,
    private readonly padId: number,
  ) {}

  get id(): string {
    return `onnx:${this.folder.name}-${this.folder.digest}-t${this.maxTokens}-${this.dim}@1`;
  }

  get dimension(): number {
    return this.dim;
  }

  static async load(dir: string, opts: OnnxEmbedderOptions = {}): Promise<OnnxEmbedder> {
    const folder = await readOnnxModelFolder(dir);
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const tokenizer = newTokenizer(Tokenizer, folder);
    const session = await OnnxSessionWorker.start(folder.modelPath, opts.threads ?? 0);
    try {
      const intInputs = checkInputs(folder.modelPath, session.info);
      const output = pickOutput(folder.modelPath, session.info);
      const maxTokens = Math.min(opts.maxTokens ?? 256, folder.modelMaxTokens ?? Number.MAX_SAFE_INTEGER);
      const embedder = new OnnxEmbedder(folder, session, tokenizer, output, intInputs, maxTokens, { texts: opts.batchSize ?? 32, tokens: opts.batchTokens ?? 256 }, closingSpecialTokens(tokenizer), padIdOf(tokenizer, folder));
      await embedder.probe();
      return embedder;
    } catch (err) {
      await session.close();
      throw err instanceof OnnxModelError ? err : new OnnxModelError(folder.modelPath, `inference on a probe text failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const priority: Priority = texts.length <= QUERY_SIZED ? 'query' : 'bulk';
    const tokenized: TokenizedText[] = [];
    for (const [i, t] of texts.entries()) {
      if (i > 0 && i % TOKENIZE_SLICE === 0) await new Promise((r) => setImmediate(r)); // let RPCs in between slices
      tokenized.push(this.tokenize(t));
    }
    const out = new Array<Float32Array>(texts.length);
    for (const batch of this.batches(tokenized)) {
      const vectors = await this.run(padBatch(batch.map((i) => tokenized[i]), this.padId), priority);
      batch.forEach((i, k) => (out[i] = vectors[k]));
    }
    return out;
  }

  /**
   * Indexes of the texts, shortest first (texts of similar length share a batch, so little is spent
   * on padding), cut into batches within the text and padded-token limits. A small batch also
   * bounds how long a query waits behind an ingest's batch in flight.
   */
  private batches(tokenized: readonly TokenizedText[]): number[][] {
    const order = tokenized.map((_, i) => i).sort((a, b) => tokenized[a].ids.length - tokenized[b].ids.length);
    const out: number[][] = [];
    let current: number[] = [];
    for (const i of order) {
      const padded = (current.length + 1) * tokenized[i].ids.length;
      if (current.length > 0 && (current.length === this.batching.texts || padded > this.batching.tokens)) {
        out.push(current);
        current = [];
      }
      current.push(i);
    }
    if (current.length > 0) out.push(current);
    return out;
  }

  /** Frees the native session and its thread. */
  async close(): Promise<void> {
    await this.session.close();
  }

  private tokenize(text: string): TokenizedText {
    // tokenizers.js's `Encoding` type does not resolve under node16 module resolution: name the fields here.
    const e: { ids: number[]; attention_mask: number[]; token_type_ids?: number[] } = this.tokenizer.encode(text.slice(0, this.maxTokens * CHARS_PER_TOKEN_BOUND), { return_token_type_ids: true });
    return truncateTokens({ ids: e.ids, mask: e.attention_mask, typeIds: e.token_type_ids }, this.maxTokens, this.closing);
  }

  private async run(batch: TokenBatch, priority: Priority): Promise<Float32Array[]> {
    const columns: Record<TokenInput, number[]> = { input_ids: batch.ids, attention_mask: batch.mask, token_type_ids: batch.typeIds };
    const feeds: Record<string, Feed> = {};
    for (const name of this.session.info.inputNames) {
      const data = this.intInputs === 'int64' ? BigInt64Array.from(columns[name as TokenInput], (x) => BigInt(x)) : Int32Array.from(columns[name as TokenInput]);
      feeds[name] = { type: this.intInputs, data, dims: [batch.rows, batch.length] };
    }
    const { type, dims, data } = await this.session.run(feeds, this.output, priority);
    if (type !== 'float32') throw new OnnxModelError(this.folder.modelPath, `output ${this.output} is ${type}; float32 is needed`);
    let vectors: Float32Array[];
    if (dims.length === 2 && dims[0] === batch.rows) vectors = splitRows(data, batch.rows, dims[1]);
    else if (dims.length === 3 && dims[0] === batch.rows && dims[1] === batch.length) vectors = meanPool(data, batch.mask, batch.rows, batch.length, dims[2]);
    else throw new OnnxModelError(this.folder.modelPath, `output ${this.output} has shape [${dims.join(', ')}]; [batch, dim] or [batch, tokens, dim] is needed`);
    return vectors.map(normalize);
  }

  private async probe(): Promise<void> {
    const [v] = await this.embed(['dimension probe']);
    if (v.length === 0) throw new OnnxModelError(this.folder.modelPath, 'the model returned empty vectors');
    this.dim = v.length;
  }
}

function newTokenizer(ctor: typeof Tokenizer, folder: OnnxModelFolder): Tokenizer {
  try {
    return new ctor(folder.tokenizerJson, folder.tokenizerConfig);
  } catch (err) {
    throw new OnnxModelError(`${folder.dir}/tokenizer.json`, `not a tokenizer tokenizers.js can load: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Only token inputs are fed; a model wanting anything else (pixels, past key values) is not a sentence encoder. */
function checkInputs(modelPath: string, info: SessionInfo): 'int64' | 'int32' {
  const unknown = info.inputNames.filter((n) => !(TOKEN_INPUTS as readonly string[]).includes(n));
  if (unknown.length > 0 || !info.inputNames.includes('input_ids')) {
    throw new OnnxModelError(modelPath, `takes inputs [${info.inputNames.join(', ')}]; a sentence model takes input_ids and optionally attention_mask and token_type_ids`);
  }
  const types = new Set(info.inputTypes);
  const [type] = types;
  if (types.size !== 1 || (type !== 'int64' && type !== 'int32')) throw new OnnxModelError(modelPath, `inputs are of type ${[...types].join(', ')}; int64 or int32 token ids are needed`);
  return type;
}

function pickOutput(modelPath: string, info: SessionInfo): string {
  const name = OUTPUTS.find((o) => info.outputNames.includes(o)) ?? (info.outputNames.length === 1 ? info.outputNames[0] : undefined);
  if (!name) throw new OnnxModelError(modelPath, `has outputs [${info.outputNames.join(', ')}]; expected one of ${OUTPUTS.join(', ')}`);
  return name;
}

/** How many special tokens the tokenizer puts after a text ([SEP], </s>), found by encoding a probe with and without them. */
function closingSpecialTokens(tokenizer: Tokenizer): number {
  const probe = 'probe text';
  const bare: number[] = tokenizer.encode(probe, { add_special_tokens: false }).ids;
  const full: number[] = tokenizer.encode(probe).ids;
  for (let prefix = 0; prefix + bare.length <= full.length; prefix++) {
    if (bare.every((id, i) => full[prefix + i] === id)) return full.length - prefix - bare.length;
  }
  return 0;
}

function padIdOf(tokenizer: Tokenizer, folder: OnnxModelFolder): number {
  return folder.padId ?? tokenizer.token_to_id('[PAD]') ?? tokenizer.token_to_id('<pad>') ?? 0;
}
