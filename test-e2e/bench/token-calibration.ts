/**
 * `npm run bench:tokens`: how far the calibrated token estimate (libs/shaping/domain) is from
 * tiktoken's o200k_base and cl100k_base, per kind of text, and what a fresh least-squares fit over
 * the same corpus would give. The corpus is on disk: the repo's docs and sources, package-lock.json,
 * TypeScript's diagnostics in eight languages (node_modules/typescript/lib/<lang>), and
 * deterministic pseudo-random base64. Run after `npm run build`; prints a table (docs/shaping.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEstimate, ESTIMATE_COEFFICIENTS, ESTIMATE_FEATURES, estimateFeatures, tiktokenCounter, type EstimateFeatures, type TokenCounter } from '@cp/shaping/domain';

const ROOT = join(__dirname, '../../..');
const CHUNK = 4000;

function files(dir: string, ext: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !['node_modules', 'dist'].includes(entry.name) && !entry.name.startsWith('.')) files(path, ext, out);
    else if (entry.isFile() && path.endsWith(ext)) out.push(path);
  }
  return out.sort();
}

/** Up to `max` chunks of `size` characters, spread over the text. */
function chunks(text: string, max: number, size = CHUNK): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= text.length && out.length < max; i += size * 3) out.push(text.slice(i, i + size));
  return out;
}

function corpus(): Record<string, string[]> {
  const read = (paths: string[]) => paths.map((p) => readFileSync(p, 'utf8')).join('\n');
  const kinds: Record<string, string[]> = {
    prose: chunks(read(files(join(ROOT, 'docs'), '.md')), 40),
    code: chunks(read(files(join(ROOT, 'libs'), '.ts')), 40),
    json: chunks(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'), 30),
  };
  for (const lang of ['de', 'fr', 'pl', 'tr', 'ru', 'ja', 'ko', 'zh-cn']) {
    const messages = JSON.parse(readFileSync(join(ROOT, 'node_modules/typescript/lib', lang, 'diagnosticMessages.generated.json'), 'utf8')) as Record<string, string>;
    kinds[lang] = chunks(Object.values(messages).join('\n'), 15, 2000);
  }
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  kinds.base64 = Array.from({ length: 15 }, () => Array.from({ length: 3000 }, () => alphabet[Math.floor(random() * 64)]).join(''));
  return kinds;
}

interface Sample {
  kind: string;
  features: EstimateFeatures;
  tokens: number;
}

/** Weighted least squares (weight 1/tokens, so every sample counts by its relative error), no intercept. */
function fit(samples: Sample[]): EstimateFeatures {
  const n = ESTIMATE_FEATURES.length;
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const b = new Array<number>(n).fill(0);
  for (const s of samples) {
    const x = ESTIMATE_FEATURES.map((k) => s.features[k]);
    const w = 1 / Math.max(1, s.tokens);
    for (let i = 0; i < n; i++) {
      b[i] += w * x[i] * s.tokens;
      for (let j = 0; j < n; j++) a[i][j] += w * x[i] * x[j];
    }
  }
  for (let i = 0; i < n; i++) {
    let pivot = i;
    for (let r = i + 1; r < n; r++) if (Math.abs(a[r][i]) > Math.abs(a[pivot][i])) pivot = r;
    [a[i], a[pivot]] = [a[pivot], a[i]];
    [b[i], b[pivot]] = [b[pivot], b[i]];
    for (let r = 0; r < n; r++) {
      if (r === i || a[i][i] === 0) continue;
      const m = a[r][i] / a[i][i];
      for (let c = i; c < n; c++) a[r][c] -= m * a[i][c];
      b[r] -= m * b[i];
    }
  }
  return Object.fromEntries(ESTIMATE_FEATURES.map((k, i) => [k, a[i][i] === 0 ? 0 : Math.round((b[i] / a[i][i]) * 10_000) / 10_000])) as EstimateFeatures;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

function report(name: string, samples: Sample[], coefficients: EstimateFeatures): void {
  console.log(`\nestimate vs ${name} (error = estimate / exact - 1)`);
  console.log(`| text | samples | min | median | max |`);
  console.log(`|---|---:|---:|---:|---:|`);
  const all: number[] = [];
  for (const kind of [...new Set(samples.map((s) => s.kind))]) {
    const errors = samples.filter((s) => s.kind === kind).map((s) => applyEstimate(s.features, coefficients) / s.tokens - 1).sort((x, y) => x - y);
    all.push(...errors);
    console.log(`| ${kind} | ${errors.length} | ${pct(errors[0])} | ${pct(errors[errors.length >> 1])} | ${pct(errors[errors.length - 1])} |`);
  }
  const abs = all.map(Math.abs).sort((x, y) => x - y);
  all.sort((x, y) => x - y);
  console.log(`| all | ${all.length} | ${pct(all[0])} | ${pct(all[all.length >> 1])} | ${pct(all[all.length - 1])} |`);
  console.log(`|error| p50 ${pct(abs[abs.length >> 1])}, p95 ${pct(abs[Math.floor(abs.length * 0.95)])}`);
}

async function main(): Promise<void> {
  const kinds = corpus();
  for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
    const counter: TokenCounter = await tiktokenCounter(encoding);
    const samples: Sample[] = Object.entries(kinds).flatMap(([kind, texts]) => texts.map((text) => ({ kind, features: estimateFeatures(text), tokens: counter.count(text) })));
    report(`${encoding} (shipped coefficients)`, samples, ESTIMATE_COEFFICIENTS);
    if (encoding === 'o200k_base') console.log(`\nrefit on this corpus: ${JSON.stringify(fit(samples))}`);
  }
}

void main();
