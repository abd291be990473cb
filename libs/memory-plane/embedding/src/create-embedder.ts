import { ConcatEmbedder } from './concat-embedder';
import type { Embedder } from './embedder';
import { LexicalHashEmbedder } from './lexical-hash-embedder';
import { OnnxEmbedder, type OnnxEmbedderOptions } from './onnx/onnx-embedder';
import { OpenAiEmbedder } from './openai-embedder';
import { WordVectorEmbedder, type WordVectorSource } from './word-vector-embedder';
import { WordVectors } from './word-vectors';

export type EmbedderKind = 'static' | 'wink-sif' | 'wink-mean' | 'lex-hash' | 'openai' | 'onnx';

/** What the configurable embedders need (from the memory plane's config). */
export interface EmbedderSettings {
  openai?: { url?: string; model: string; apiKey?: string };
  onnx?: OnnxEmbedderOptions & { dir?: string };
}

/**
 * The default: SIF-weighted word vectors concatenated with hashed word and trigram features
 * (docs/memory.md has the comparison that chose it). Local, deterministic, nothing downloaded.
 */
export function defaultStaticEmbedder(vectors: WordVectorSource = WordVectors.load()): Embedder {
  return new ConcatEmbedder([{ embedder: new WordVectorEmbedder(vectors, 'sif'), weight: 0.7 }, { embedder: new LexicalHashEmbedder(256), weight: 0.3 }], 'static-sif7-lex3');
}

export async function createEmbedder(kind: EmbedderKind, { openai, onnx }: EmbedderSettings = {}): Promise<Embedder> {
  switch (kind) {
    case 'static':
      return defaultStaticEmbedder();
    case 'wink-sif':
      return new WordVectorEmbedder(WordVectors.load(), 'sif');
    case 'wink-mean':
      return new WordVectorEmbedder(WordVectors.load(), 'mean');
    case 'lex-hash':
      return new LexicalHashEmbedder(256);
    case 'openai':
      if (!openai?.url) throw new Error('CP_MEMORY_EMBEDDINGS_URL is required for CP_MEMORY_EMBEDDER=openai');
      return new OpenAiEmbedder(openai.url, openai.model, openai.apiKey).init();
    case 'onnx':
      if (!onnx?.dir) throw new Error('CP_MEMORY_ONNX_MODEL_DIR is required for CP_MEMORY_EMBEDDER=onnx');
      return OnnxEmbedder.load(onnx.dir, onnx);
    default: {
      const never: never = kind;
      throw new Error(`unknown embedder ${String(never)}`);
    }
  }
}
