/** Input limits: `data_clean` runs on model output, which is client-influenced. */
export const DATA_CLEAN_LIMITS = { textChars: 1_048_576, rows: 10_000, columns: 1_000 } as const;

export type DateOrder = 'dmy' | 'mdy';
export type Cell = string | number | boolean | null;

/** What `data_clean` changed, counted. */
export interface DataCleanReport {
  rowsIn: number;
  rowsOut: number;
  trimmed: number;
  whitespaceCollapsed: number;
  unicodeNormalized: number;
  emptyRowsDropped: number;
  emptyColumnsDropped: number;
  duplicateRowsDropped: number;
  numbersNormalized: number;
  datesNormalized: number;
}

export type DataCleanResult = { ok: true; text?: string; rows?: Cell[][]; report: DataCleanReport } | { ok: false; error: string };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const NUMBER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;

function newReport(): DataCleanReport {
  return { rowsIn: 0, rowsOut: 0, trimmed: 0, whitespaceCollapsed: 0, unicodeNormalized: 0, emptyRowsDropped: 0, emptyColumnsDropped: 0, duplicateRowsDropped: 0, numbersNormalized: 0, datesNormalized: 0 };
}

function isoDate(y: number, m: number, d: number): string | undefined {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A date in one of the documented forms, as `YYYY-MM-DD`; undefined when it is not one (or not a real day). */
export function normaliseDate(token: string, order: DateOrder): string | undefined {
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(token);
  if (m) return isoDate(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(token);
  if (m) return isoDate(+m[3]!, +m[2]!, +m[1]!);
  m = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(token);
  if (m) return order === 'dmy' ? isoDate(+m[3]!, +m[2]!, +m[1]!) : isoDate(+m[3]!, +m[1]!, +m[2]!);
  m = /^(\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})$/.exec(token);
  if (m) return monthDate(m[2]!, +m[1]!, +m[3]!);
  m = /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$/.exec(token);
  if (m) return monthDate(m[1]!, +m[2]!, +m[3]!);
  return undefined;
}

function monthDate(name: string, day: number, year: number): string | undefined {
  const month = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  return month < 0 ? undefined : isoDate(year, month + 1, day);
}

/** `1,234.50` -> `1234.5`, `+007` -> `7`; undefined when the text is not a plain number. */
export function normaliseNumber(token: string): string | undefined {
  if (!NUMBER.test(token)) return undefined;
  const n = Number(token.replace(/,/g, ''));
  return Number.isFinite(n) ? String(n) : undefined;
}

/** Trim, NFC, collapse whitespace: the text cleaning every cell and line gets. */
function cleanText(text: string, report: DataCleanReport): string {
  const nfc = text.normalize('NFC');
  if (nfc !== text) report.unicodeNormalized++;
  const trimmed = nfc.trim();
  if (trimmed !== nfc) report.trimmed++;
  const collapsed = trimmed.replace(/\s+/g, ' ');
  if (collapsed !== trimmed) report.whitespaceCollapsed++;
  return collapsed;
}

/** Dates first (`3 Jan 2024` spans tokens), then numbers, token by token. */
function normaliseTokens(line: string, order: DateOrder, report: DataCleanReport): string {
  const withDates = line.replace(/\b(\d{1,2} [A-Za-z]{3,9}\.? \d{4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4})\b/g, (s) => {
    const iso = normaliseDate(s, order);
    if (iso === undefined) return s;
    report.datesNormalized++;
    return iso;
  });
  return withDates
    .split(' ')
    .map((token) => {
      const date = normaliseDate(token, order);
      if (date !== undefined) {
        if (date !== token) report.datesNormalized++;
        return date;
      }
      const num = normaliseNumber(token);
      if (num !== undefined && num !== token) {
        report.numbersNormalized++;
        return num;
      }
      return token;
    })
    .join(' ');
}

function cleanCell(cell: unknown, order: DateOrder, report: DataCleanReport): Cell {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (typeof cell === 'boolean') return cell;
  const text = cleanText(typeof cell === 'string' ? cell : JSON.stringify(cell), report);
  if (text === '') return null;
  const date = normaliseDate(text, order);
  if (date !== undefined) {
    if (date !== text) report.datesNormalized++;
    return date;
  }
  const num = normaliseNumber(text);
  if (num !== undefined) {
    report.numbersNormalized++;
    return Number(num);
  }
  return text;
}

function cleanLines(text: string, order: DateOrder, report: DataCleanReport): string {
  const lines = text.split(/\r\n|\r|\n/);
  report.rowsIn = lines.length;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of lines) {
    const line = normaliseTokens(cleanText(raw, report), order, report);
    if (line === '') report.emptyRowsDropped++;
    else if (seen.has(line)) report.duplicateRowsDropped++;
    else {
      seen.add(line);
      out.push(line);
    }
  }
  report.rowsOut = out.length;
  return out.join('\n');
}

function cleanRows(rows: unknown[], order: DateOrder, report: DataCleanReport): Cell[][] {
  report.rowsIn = rows.length;
  const cleaned = rows.map((row) => (Array.isArray(row) ? row : [row]).slice(0, DATA_CLEAN_LIMITS.columns).map((c) => cleanCell(c, order, report)));
  const width = Math.max(0, ...cleaned.map((r) => r.length));
  const keep = Array.from({ length: width }, (_, col) => cleaned.some((r) => r[col] !== null && r[col] !== undefined));
  report.emptyColumnsDropped = keep.filter((k) => !k).length;
  const seen = new Set<string>();
  const out: Cell[][] = [];
  for (const row of cleaned) {
    const narrowed = keep.flatMap((k, col) => (k ? [row[col] ?? null] : []));
    if (narrowed.every((c) => c === null)) {
      report.emptyRowsDropped++;
      continue;
    }
    const key = JSON.stringify(narrowed);
    if (seen.has(key)) {
      report.duplicateRowsDropped++;
      continue;
    }
    seen.add(key);
    out.push(narrowed);
  }
  report.rowsOut = out.length;
  return out;
}

/**
 * The `data_clean` local tool (docs/tools.md gives the exact rules): text (one record per line) or
 * rows of cells in, the cleaned data and a report of what changed out.
 */
export function dataClean(args: Record<string, unknown>): DataCleanResult {
  const order: DateOrder = args.date_order === 'mdy' ? 'mdy' : 'dmy';
  const hasText = typeof args.text === 'string';
  const hasRows = Array.isArray(args.rows);
  if (hasText === hasRows) return { ok: false, error: 'give exactly one of "text" (a string) or "rows" (an array of rows)' };
  const report = newReport();
  if (hasText) {
    const text = args.text as string;
    if (text.length > DATA_CLEAN_LIMITS.textChars) return { ok: false, error: `text is longer than ${DATA_CLEAN_LIMITS.textChars} characters` };
    return { ok: true, text: cleanLines(text, order, report), report };
  }
  const rows = args.rows as unknown[];
  if (rows.length > DATA_CLEAN_LIMITS.rows) return { ok: false, error: `more than ${DATA_CLEAN_LIMITS.rows} rows` };
  return { ok: true, rows: cleanRows(rows, order, report), report };
}
