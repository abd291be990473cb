import { ConcatEmbedder } from './concat-embedder';
import type { Embedder } from './embedder';
import { LexicalHashEmbedder } from './lexical-hash-embedder';
import { OpenAiEmbedder } from './openai-embedder';
import { WordVectorEmbedder } from './word-vector-embedder';
import { WordVectors } from './word-vectors';

export type EmbedderKind = 'static' | 'wink-sif' | 'wink-mean' | 'lex-hash' | 'openai';

/**
 * The default: SIF-weighted word vectors concatenated with hashed word and trigram features
 * (docs/memory.md has the comparison that chose it). Local, deterministic, nothing downloaded.
 */
export function defaultStaticEmbedder(vectors = WordVectors.load()): Embedder {
  return new ConcatEmbedder([{ embedder: new WordVectorEmbedder(vectors, 'sif'), weight: 0.7 }, { embedder: new LexicalHashEmbedder(256), weight: 0.3 }], 'static-sif7-lex3');
}

export async function createEmbedder(kind: EmbedderKind, openai?: { url?: string; model: string; apiKey?: string }): Promise<Embedder> {
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
    default: {
      const never: never = kind;
      throw new Error(`unknown embedder ${String(never)}`);
    }
  }
}
