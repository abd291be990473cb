import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { OnnxModelError } from './onnx-model-error';

/** The files of a sentence model as exported for Hugging Face / sentence-transformers. */
export interface OnnxModelFolder {
  dir: string;
  modelPath: string;
  /** Parsed `tokenizer.json`, and `tokenizer_config.json` when the folder has one (else `{}`). */
  tokenizerJson: object;
  tokenizerConfig: object;
  /** The padding token id `tokenizer.json` names, if it names one. */
  padId?: number;
  /** The longest input the model was made for, when a file says so. */
  modelMaxTokens?: number;
  /** Folder name and a SHA-256 prefix over model.onnx then tokenizer.json: what the embedder id names. */
  name: string;
  digest: string;
}

const MaxLength = z.number().int().positive().max(100_000);
const TokenizerConfig = z.looseObject({ model_max_length: z.unknown().optional() });
const TokenizerJson = z.looseObject({
  model: z.looseObject({ type: z.string().optional() }),
  truncation: z.looseObject({ max_length: z.unknown() }).nullish(),
  padding: z.looseObject({ pad_id: z.number().int().nonnegative().optional() }).nullish(),
});
const ModelConfig = z.looseObject({ max_position_embeddings: z.unknown().optional() });

/** Checks the folder and reads what the embedder needs before any model is loaded. */
export async function readOnnxModelFolder(dirPath: string): Promise<OnnxModelFolder> {
  const dir = resolve(dirPath);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new OnnxModelError(dir, 'no such folder (CP_MEMORY_ONNX_MODEL_DIR must name a folder holding model.onnx and tokenizer.json)');
  const modelPath = join(dir, 'model.onnx');
  const tokenizerPath = join(dir, 'tokenizer.json');
  for (const file of [modelPath, tokenizerPath]) if (!existsSync(file)) throw new OnnxModelError(file, 'not found (the folder must hold model.onnx and tokenizer.json)');
  const tokenizerJson = parseJsonFile(tokenizerPath, TokenizerJson);
  const tokenizerConfig = optionalJsonFile(join(dir, 'tokenizer_config.json'), TokenizerConfig) ?? {};
  const modelConfig = optionalJsonFile(join(dir, 'config.json'), ModelConfig) ?? {};
  const limits = [tokenizerConfig.model_max_length, tokenizerJson.truncation?.max_length, modelConfig.max_position_embeddings].flatMap((v) => (MaxLength.safeParse(v).success ? [v as number] : []));
  const hash = createHash('sha256');
  await hashInto(hash, modelPath);
  hash.update(readFileSync(tokenizerPath));
  return {
    dir,
    modelPath,
    tokenizerJson,
    tokenizerConfig,
    padId: tokenizerJson.padding?.pad_id,
    modelMaxTokens: limits.length > 0 ? Math.min(...limits) : undefined,
    name: basename(dir).replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 40),
    digest: hash.digest('hex').slice(0, 12),
  };
}

function parseJsonFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new OnnxModelError(file, `cannot be read as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new OnnxModelError(file, `unexpected content: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
  return parsed.data;
}

function optionalJsonFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> | undefined {
  return existsSync(file) ? parseJsonFile(file, schema) : undefined;
}

function hashInto(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  return new Promise((done, fail) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => done())
      .on('error', (err) => fail(new OnnxModelError(file, `cannot be read: ${err.message}`)));
  });
}
