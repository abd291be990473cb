import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '@cp/shared/testing';
import protobuf from 'protobufjs';
import { encoderBlocks } from './encoder-blocks';
import { ATTR, ELEM, ONNX_PROTO_SUBSET } from './onnx-schema';

/** Words of one topic get vectors near one shared direction, so texts on a topic come out close. */
export const TOY_TOPICS: Record<string, readonly string[]> = {
  ops: ['restart', 'deploy', 'rollout', 'pods', 'kubectl', 'workers', 'queue', 'drain', 'server', 'crash'],
  money: ['payment', 'invoice', 'billing', 'refund', 'charge', 'card', 'price', 'cost'],
  people: ['vacation', 'holiday', 'leave', 'policy', 'days', 'employees', 'manager', 'sick'],
};
const FILLERS = ['the', 'a', 'to', 'how', 'do', 'i', 'of', 'and', 'for', 'my', 'is', 'on', 'with', 'first', 'then', 'one', 'by', 'we'];
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
const SUBWORDS = ['##s', '##ing', '##ed'];

export interface ToyModelOptions {
  /** Vector width (at least 8; the last 4 components mark [PAD], [CLS], [SEP] and [UNK]). */
  dimension?: number;
  /** Graph inputs, all int64 [batch, seq]; only `input_ids` feeds the graph. Default: the three BERT inputs. */
  inputs?: readonly string[];
  /** Also output `sentence_embedding` [batch, dim] as the max over tokens (so a test can tell it from mean pooling). */
  sentenceEmbedding?: boolean;
  /** Written to `tokenizer_config.json` as `model_max_length` when set. */
  modelMaxLength?: number;
  /** Transformer-shaped blocks after the table, for timing only (`encoderBlocks`): the vectors then mean nothing. */
  encoderLayers?: number;
}

export interface ToyModel {
  dir: string;
  modelPath: string;
  vocab: string[];
  dimension: number;
  /** Row `id` of the embedding table (a token's vector in `last_hidden_state`). */
  row(id: number): Float32Array;
}

/**
 * Writes a small but real sentence model into `dir`: `model.onnx` (a static-embedding graph:
 * Gather over an embedding table by `input_ids`, output `last_hidden_state` [batch, seq, dim]) and
 * a BERT-style WordPiece `tokenizer.json`. The table is seeded, so every run writes the same bytes.
 * [PAD] has a large vector of its own, so pooling that ignored the mask would move a padded text.
 */
export function writeToySentenceModel(dir: string, opts: ToyModelOptions = {}): ToyModel {
  const dim = opts.dimension ?? 16;
  if (dim < 8) throw new Error('the toy model needs at least 8 dimensions');
  const vocab = [...SPECIALS, ...Object.values(TOY_TOPICS).flat(), ...FILLERS, ...SUBWORDS];
  const table = toyTable(vocab, dim);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), encodeModel(table, vocab.length, dim, opts));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordPieceTokenizer(vocab)));
  if (opts.modelMaxLength !== undefined) writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: opts.modelMaxLength, do_lower_case: true }));
  return { dir, modelPath: join(dir, 'model.onnx'), vocab, dimension: dim, row: (id) => table.slice(id * dim, (id + 1) * dim) };
}

function toyTable(vocab: readonly string[], dim: number): Float32Array {
  const rand = prng(20261202);
  const free = dim - 4; // components shared by the topics; the last four mark special tokens
  const gauss = () => (rand() + rand() + rand() - 1.5) * 2;
  const direction = () => Array.from({ length: free }, gauss);
  const topicOf = new Map<string, number[]>();
  for (const words of Object.values(TOY_TOPICS)) {
    const d = direction();
    for (const w of words) topicOf.set(w, d);
  }
  const table = new Float32Array(vocab.length * dim);
  vocab.forEach((token, id) => {
    const row = table.subarray(id * dim, (id + 1) * dim);
    const special = SPECIALS.indexOf(token);
    if (special >= 0) {
      row[free + special] = special === 0 ? 8 : 0.3;
      return;
    }
    const topic = topicOf.get(token);
    for (let i = 0; i < free; i++) row[i] = (topic ? topic[i] : 0) + gauss() * (topic ? 0.25 : 0.15);
  });
  return table;
}

function encodeModel(table: Float32Array, vocabSize: number, dim: number, opts: ToyModelOptions): Uint8Array {
  const Model = protobuf.parse(ONNX_PROTO_SUBSET).root.lookupType('onnx.ModelProto');
  const tensorType = (elem: number, dims: (number | string)[]) => ({
    tensorType: { elemType: elem, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } },
  });
  const inputs = opts.inputs ?? ['input_ids', 'attention_mask', 'token_type_ids'];
  const layers = opts.encoderLayers ?? 0;
  const blocks = layers > 0 ? encoderBlocks('token_vectors', 'last_hidden_state', dim, layers) : { nodes: [], initializers: [] };
  const nodes: object[] = [{ opType: 'Gather', name: 'embed', input: ['embeddings', inputs[0]], output: [layers > 0 ? 'token_vectors' : 'last_hidden_state'], attribute: [{ name: 'axis', type: ATTR.INT, i: 0 }] }, ...blocks.nodes];
  const outputs = [{ name: 'last_hidden_state', type: tensorType(ELEM.FLOAT, ['batch', 'sequence', dim]) }];
  if (opts.sentenceEmbedding) {
    nodes.push({ opType: 'ReduceMax', name: 'pool', input: ['last_hidden_state'], output: ['sentence_embedding'], attribute: [{ name: 'axes', type: ATTR.INTS, ints: [1] }, { name: 'keepdims', type: ATTR.INT, i: 0 }] });
    outputs.push({ name: 'sentence_embedding', type: tensorType(ELEM.FLOAT, ['batch', dim]) });
  }
  const model = Model.create({
    irVersion: 8,
    producerName: 'cp-toy-sentence-model',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'toy-static-embedding',
      node: nodes,
      initializer: [{ name: 'embeddings', dataType: ELEM.FLOAT, dims: [vocabSize, dim], rawData: Buffer.from(table.buffer, table.byteOffset, table.byteLength) }, ...blocks.initializers],
      input: inputs.map((name) => ({ name, type: tensorType(ELEM.INT64, ['batch', 'sequence']) })),
      output: outputs,
    },
  });
  return Model.encode(model).finish();
}

/** A BERT-uncased-style tokenizer.json: BertNormalizer, BertPreTokenizer, WordPiece, [CLS] $A [SEP]. */
function wordPieceTokenizer(vocab: readonly string[]): object {
  const id = (t: string) => vocab.indexOf(t);
  const special = (t: string) => ({ id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) },
  };
}
