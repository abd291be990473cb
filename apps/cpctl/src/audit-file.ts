import { createReadStream, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ExportedEvent } from '@cp/shared/contracts';
import { ChainWalker, type ChainAnchor, type ChainProblem } from '@cp/shared/event-store';
import { z } from 'zod';

/**
 * The export file, JSON Lines: a header (`format`, when, the newest signed checkpoint note), one
 * line per event with its hashes, then a trailer with the size and head hash. A file without its
 * trailer was cut short.
 */
export const EXPORT_FORMAT = 'cp-audit-export/v1';
const Header = z.object({ format: z.literal(EXPORT_FORMAT), exportedAt: z.string(), checkpointNote: z.string().nullable() });
const Trailer = z.object({ end: z.object({ size: z.number().int().nonnegative(), headHash: z.string().nullable() }) });

export interface ExportPage {
  events: ExportedEvent[];
  headPosition: number;
  checkpointNote: string | null;
}

/** Pages through the chain up to the head seen at the start and writes the file (to a temp file, then renamed). */
export async function writeExport(path: string, page: (after: number) => Promise<ExportPage>, now = () => new Date()): Promise<{ size: number; headHash: string | null }> {
  const tmp = `${path}.tmp`;
  let reply = await page(0);
  const stopAt = reply.headPosition;
  writeFileSync(tmp, JSON.stringify({ format: EXPORT_FORMAT, exportedAt: now().toISOString(), checkpointNote: reply.checkpointNote }) + '\n');
  let size = 0;
  let headHash: string | null = null;
  for (;;) {
    const events = reply.events.filter((e) => e.position <= stopAt);
    if (events.length > 0) {
      appendFileSync(tmp, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      size = events.at(-1)!.position;
      headHash = events.at(-1)!.hash;
    }
    if (events.length === 0 || size >= stopAt) break;
    reply = await page(size);
  }
  appendFileSync(tmp, JSON.stringify({ end: { size, headHash } }) + '\n');
  renameSync(tmp, path);
  return { size, headHash };
}

export interface FileVerification {
  ok: boolean;
  count: number;
  headHash: string | null;
  problem?: ChainProblem;
  /** The checkpoint note carried in the file, as text (its signature is checked by the caller). */
  checkpointNote: string | null;
}

/** Re-hashes an export from genesis, against the anchors (trusted checkpoints) and the file's own trailer. */
export async function verifyExportFile(path: string, anchors: (note: string | null) => ChainAnchor[]): Promise<FileVerification> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let header: z.infer<typeof Header> | undefined;
  let trailer: z.infer<typeof Trailer> | undefined;
  let walker: ChainWalker | undefined;
  let batch: ExportedEvent[] = [];
  let lineNo = 0;
  const flush = () => {
    walker!.push(batch);
    batch = [];
  };
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const json: unknown = JSON.parse(line);
    if (!header) {
      header = Header.parse(json);
      walker = new ChainWalker(undefined, anchors(header.checkpointNote));
      continue;
    }
    if (trailer) throw new Error(`line ${lineNo}: data after the trailer`);
    const end = Trailer.safeParse(json);
    if (end.success) {
      trailer = end.data;
      continue;
    }
    batch.push(ExportedEvent.parse(json));
    if (batch.length >= 1000) flush();
  }
  if (!header || !walker) throw new Error(`${path} is not a ${EXPORT_FORMAT} file (no header line)`);
  flush();
  const problem = walker.finish() ?? trailerProblem(walker, trailer);
  return { ok: problem === null, count: walker.position, headHash: walker.position === 0 ? null : walker.headHash, ...(problem ? { problem } : {}), checkpointNote: header.checkpointNote };
}

function trailerProblem(walker: ChainWalker, trailer: z.infer<typeof Trailer> | undefined): ChainProblem | null {
  if (!trailer) return { kind: 'tail_deleted', position: walker.position + 1, message: `the file ends at position ${walker.position} without its trailer: it was cut short` };
  if (trailer.end.size > walker.position) return { kind: 'tail_deleted', position: walker.position + 1, message: `the trailer says ${trailer.end.size} events, the file has ${walker.position}: events were deleted from its end` };
  if (trailer.end.size === walker.position && walker.position > 0 && trailer.end.headHash !== walker.headHash) {
    return { kind: 'chain_rewritten', position: walker.position, message: `the head hash differs from the one in the trailer` };
  }
  return null;
}
