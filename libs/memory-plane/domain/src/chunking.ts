/** One piece of a document as it is embedded and searched: its heading path is part of its text. */
export interface Chunk {
  index: number;
  text: string;
  heading: string | null;
}

export interface ChunkOptions {
  /** Largest chunk in characters (a paragraph longer than this is cut at sentence, then word boundaries). */
  maxChars: number;
  /** Characters of the previous chunk's tail repeated at the start of the next (within one section). */
  overlapChars: number;
}

export const DEFAULT_CHUNKING: ChunkOptions = { maxChars: 1200, overlapChars: 200 };

interface Section {
  heading: string | null;
  paragraphs: string[];
}

/**
 * Splits a document on its structure: sections at headings (Markdown `#`, HTML `<h1>`-`<h6>`),
 * paragraphs at blank lines; paragraphs are packed into chunks of at most `maxChars`, and each
 * chunk after the first of a section starts with the tail of the previous one (`overlapChars`).
 * Every chunk carries its heading path so a chunk read alone still says what it is about.
 */
export function chunkDocument(content: string, mimeType = 'text/markdown', opts: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  const text = toMarkdownish(content, mimeType);
  const chunks: Chunk[] = [];
  for (const section of sections(text)) {
    let current = '';
    let previous = '';
    const flush = () => {
      const body = current.trim();
      if (!body) return;
      const overlap = previous ? tail(previous, opts.overlapChars) : '';
      const withOverlap = overlap ? `${overlap}\n\n${body}` : body;
      chunks.push({ index: chunks.length, heading: section.heading, text: section.heading ? `${section.heading}\n\n${withOverlap}` : withOverlap });
      previous = body;
      current = '';
    };
    for (const para of section.paragraphs.flatMap((p) => splitLong(p, opts.maxChars))) {
      if (current && current.length + para.length + 2 > opts.maxChars) flush();
      current = current ? `${current}\n\n${para}` : para;
    }
    flush();
  }
  return chunks;
}

/** HTML and JSON are brought to headings and paragraphs first; Markdown and text are kept. */
function toMarkdownish(content: string, mimeType: string): string {
  const type = mimeType.toLowerCase();
  if (type.includes('html')) return htmlToText(content);
  if (type.includes('json')) return jsonToText(content);
  return content.replace(/\r\n?/g, '\n');
}

function sections(text: string): Section[] {
  const out: Section[] = [];
  const path: string[] = [];
  let current: Section = { heading: null, paragraphs: [] };
  let para: string[] = [];
  const endPara = () => {
    const p = para.join('\n').trim();
    if (p) current.paragraphs.push(p);
    para = [];
  };
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const h = inFence ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (h) {
      endPara();
      if (current.paragraphs.length > 0 || current.heading !== null) out.push(current);
      const level = h[1].length;
      path.length = level - 1;
      path[level - 1] = h[2];
      current = { heading: path.filter(Boolean).join(' > '), paragraphs: [] };
    } else if (!inFence && line.trim() === '') {
      endPara();
    } else {
      para.push(line);
    }
  }
  endPara();
  out.push(current);
  return out.filter((s) => s.paragraphs.length > 0);
}

/** Cuts a paragraph longer than `max` at sentence ends, then at spaces, then hard. */
function splitLong(paragraph: string, max: number): string[] {
  if (paragraph.length <= max) return [paragraph];
  const sentences = paragraph.match(/[^.!?\n]+[.!?]*\s*|\n/g) ?? [paragraph];
  const out: string[] = [];
  let cur = '';
  for (const s of sentences.flatMap((x) => (x.length > max ? hardSplit(x, max) : [x]))) {
    if (cur.length + s.length > max && cur) {
      out.push(cur.trim());
      cur = '';
    }
    cur += s;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function hardSplit(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = rest.lastIndexOf(' ', max);
    const at = cut > max / 2 ? cut : max;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest) out.push(rest);
  return out;
}

/** The last `n` characters of a text, starting at a word boundary. */
function tail(text: string, n: number): string {
  if (n <= 0) return '';
  if (text.length <= n) return text;
  const cut = text.slice(text.length - n);
  const space = cut.indexOf(' ');
  return (space >= 0 && space < cut.length - 1 ? cut.slice(space + 1) : cut).trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** HTML to headings and paragraphs: scripts and styles dropped, `<hN>` to `#`, block ends to blank lines. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|noscript)[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_m, level: string, inner: string) => `\n\n${'#'.repeat(Number(level))} ${inner.replace(/<[^>]+>/g, '').trim()}\n\n`)
    .replace(/<\/(p|div|section|article|li|tr|pre|blockquote|ul|ol|table)\s*>|<br\s*\/?>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => decodeEntity(e) ?? m)
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n\s*(\n\s*)+/g, '\n\n');
}

function decodeEntity(e: string): string | undefined {
  if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
  if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
  return ENTITIES[e.toLowerCase()];
}

/**
 * JSON to `path: value` lines, one paragraph per top-level key; an array of objects gives one
 * paragraph per element. Walks with an explicit stack and a depth bound (no recursion on input).
 */
export function jsonToText(json: string, maxDepth = 32): string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return json;
  }
  const paragraphs: string[] = [];
  const tops: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : value && typeof value === 'object' ? Object.entries(value) : [['', value]];
  for (const [key, top] of tops) {
    const lines: string[] = [];
    const stack: [string, unknown, number][] = [[key, top, 0]];
    while (stack.length > 0) {
      const [path, v, depth] = stack.pop()!;
      if (v !== null && typeof v === 'object' && depth < maxDepth) {
        const entries = Array.isArray(v) ? v.map((x, i) => [`${path}[${i}]`, x] as const) : Object.entries(v).map(([k, x]) => [path ? `${path}.${k}` : k, x] as const);
        for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][0], entries[i][1], depth + 1]);
      } else {
        lines.push(`${path}: ${typeof v === 'string' ? v : v !== null && typeof v === 'object' ? '…' : JSON.stringify(v)}`);
      }
    }
    paragraphs.push(lines.join('\n'));
  }
  return paragraphs.join('\n\n');
}
