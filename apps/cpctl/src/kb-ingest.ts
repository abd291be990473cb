import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { SingleBar } from 'cli-progress';
import { MAX_DOCUMENT_BYTES as MAX_BYTES } from '@cp/shared/contracts';

const TYPES: Record<string, string> = { '.md': 'text/markdown', '.markdown': 'text/markdown', '.txt': 'text/plain', '.text': 'text/plain', '.html': 'text/html', '.htm': 'text/html', '.json': 'application/json' };
const MAX_FILES = 10_000;
const MAX_DEPTH = 16;

export interface IngestSummary {
  files: number;
  created: number;
  replaced: number;
  unchanged: number;
  chunks: number;
  skipped: { path: string; reason: string }[];
  failed: { path: string; reason: string }[];
}

/** Markdown, text, HTML and JSON files under `root` (depth and count bounded, hidden folders and node_modules skipped), in path order. */
export function findDocuments(root: string): { path: string; mimeType: string }[] {
  const out: { path: string; mimeType: string }[] = [];
  const stack: [string, number][] = [[root, 0]];
  while (stack.length > 0 && out.length < MAX_FILES) {
    const [dir, depth] = stack.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => b.name.localeCompare(a.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH) stack.push([path, depth + 1]);
      else if (entry.isFile() && TYPES[extname(entry.name).toLowerCase()]) out.push({ path, mimeType: TYPES[extname(entry.name).toLowerCase()] });
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** A document's title: its first Markdown heading or HTML title, else the file name. */
function titleOf(path: string, content: string): string {
  const h = /^#\s+(.+)$/m.exec(content) ?? /<title[^>]*>([^<]+)<\/title>/i.exec(content) ?? /<h1[^>]*>([^<]+)<\/h1>/i.exec(content);
  return (h?.[1] ?? basename(path)).trim().slice(0, 500);
}

/**
 * `cpctl kb ingest <folder>`: posts every document file to `POST /v1/kb/documents` (source = the
 * path relative to the folder, so re-running replaces changed files and skips unchanged ones),
 * one at a time, with a progress bar on stderr; returns the summary.
 */
export async function ingestFolder(root: string, post: (body: unknown) => Promise<{ status: number; body: Record<string, unknown> }>): Promise<IngestSummary> {
  const files = findDocuments(root);
  const summary: IngestSummary = { files: files.length, created: 0, replaced: 0, unchanged: 0, chunks: 0, skipped: [], failed: [] };
  const bar = new SingleBar({ format: 'ingest [{bar}] {value}/{total} {file}', stream: process.stderr, hideCursor: true, noTTYOutput: true, notTTYSchedule: 2000 });
  bar.start(files.length, 0, { file: '' });
  for (const f of files) {
    const source = relative(root, f.path);
    bar.increment(0, { file: source.slice(-50) });
    try {
      if (statSync(f.path).size > MAX_BYTES) {
        summary.skipped.push({ path: source, reason: `larger than ${MAX_BYTES} bytes` });
        continue;
      }
      const content = readFileSync(f.path, 'utf8');
      if (content.trim() === '') {
        summary.skipped.push({ path: source, reason: 'empty' });
        continue;
      }
      const res = await post({ title: titleOf(f.path, content), content, source, mimeType: f.mimeType });
      if (res.status !== 201) {
        summary.failed.push({ path: source, reason: `${res.status} ${String((res.body.error as { message?: string } | undefined)?.message ?? '')}` });
        continue;
      }
      const outcome = res.body.outcome as 'created' | 'replaced' | 'unchanged';
      summary[outcome]++;
      summary.chunks += Number(res.body.chunks ?? 0);
    } catch (err) {
      summary.failed.push({ path: source, reason: err instanceof Error ? err.message : String(err) });
    } finally {
      bar.increment(1);
    }
  }
  bar.stop();
  return summary;
}
