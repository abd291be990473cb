import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { CheckpointError, openCheckpoint, parsePublicKey, type ChainAnchor, type ChainCheckpoint } from '@cp/shared/event-store';
import { verifyExportFile, writeExport, type ExportPage } from './audit-file';
import type { CliContext } from './cli-context';

interface VerifyOptions {
  full?: boolean;
  file?: string;
  checkpoint?: string;
  publicKey?: string;
}

/** The file given, or the newest note in `CP_AUDIT_CHECKPOINT_DIR` when it is set; null when there is none. */
function newestNote(ctx: CliContext, file?: string): { note: string; from: string } | null {
  if (file) return { note: readFileSync(file, 'utf8'), from: file };
  if (!ctx.config.CP_AUDIT_CHECKPOINT_DIR) return null;
  const dir = resolve(ctx.config.CP_AUDIT_CHECKPOINT_DIR);
  if (!existsSync(dir)) return null;
  const names = readdirSync(dir).filter((n) => /^checkpoint-\d{15}\.note$/.test(n)).sort();
  return names.length === 0 ? null : { note: readFileSync(join(dir, names.at(-1)!), 'utf8'), from: join(dir, names.at(-1)!) };
}

function publicKey(ctx: CliContext, file?: string): KeyObject | null {
  const text = file ? readFileSync(file, 'utf8') : ctx.config.CP_AUDIT_PUBLIC_KEY;
  return text ? parsePublicKey(text) : null;
}

/** Opens a checkpoint note with the public key; a note without a key to check it is refused, not trusted. */
function trusted(note: { note: string; from: string } | null, key: KeyObject | null): ChainCheckpoint | null {
  if (!note) return null;
  if (!key) throw new CheckpointError(`cannot check ${note.from}: set CP_AUDIT_PUBLIC_KEY or --public-key`);
  return openCheckpoint(note.note, key);
}

const anchor = (c: ChainCheckpoint, from: string): ChainAnchor => ({ size: c.size, hash: c.hash, label: `the checkpoint ${from} signed at ${c.time} (size ${c.size})` });

/** `cpctl audit verify` (live, incremental or `--full`, or an export `--file`) and `cpctl audit export`. */
export function registerAuditChain(audit: Command, ctx: CliContext): void {
  audit
    .command('verify')
    .description('verify the hash chain: the live store from its last verified position (--full: from genesis, rate-limited), or an exported file offline (--file); both against the newest signed checkpoint')
    .option('--full', 're-hash the whole chain (an operator action the auditor rate-limits)')
    .option('--file <path>', 'verify an export written by `cpctl audit export`, offline')
    .option('--checkpoint <path>', 'the checkpoint note to compare with (default: the newest in CP_AUDIT_CHECKPOINT_DIR, when set)')
    .option('--public-key <path>', 'the auditor public key (default: CP_AUDIT_PUBLIC_KEY)')
    .action(async (opts: VerifyOptions) => {
      const key = publicKey(ctx, opts.publicKey);
      let checkpoint: ChainCheckpoint | null;
      const note = newestNote(ctx, opts.checkpoint);
      try {
        checkpoint = trusted(note, key);
      } catch (err) {
        if (!(err instanceof CheckpointError)) throw err;
        ctx.print({ ok: false, problem: { kind: 'checkpoint_invalid', position: 0, message: `${note?.from ?? 'checkpoint'}: ${err.message}` } });
        return void (process.exitCode = 1);
      }
      if (opts.file) return verifyFile(ctx, opts.file, checkpoint, note?.from ?? '', key);
      const query = new URLSearchParams({ ...(opts.full ? { full: 'true' } : {}), ...(checkpoint ? { checkpointSize: String(checkpoint.size), checkpointHash: checkpoint.hash } : {}) });
      const r = (await ctx.call(`/v1/audit/verify${query.size > 0 ? `?${query}` : ''}`)) as { ok: boolean };
      ctx.print({ ...r, ...(checkpoint ? { trustedCheckpoint: { size: checkpoint.size, hash: checkpoint.hash, time: checkpoint.time, from: note!.from } } : {}) });
      if (!r.ok) process.exitCode = 1;
    });

  audit
    .command('export')
    .description('write the whole chain with its hashes and the newest signed checkpoint to a JSON Lines file')
    .requiredOption('--out <path>', 'the file to write')
    .action(async (opts: { out: string }) => {
      const written = await writeExport(opts.out, async (after) => (await ctx.call(`/v1/audit/export?after=${after}&limit=500`)) as ExportPage);
      ctx.print({ file: opts.out, ...written });
    });
}

async function verifyFile(ctx: CliContext, path: string, checkpoint: ChainCheckpoint | null, from: string, key: KeyObject | null): Promise<void> {
  let embedded: ChainCheckpoint | null = null;
  let embeddedInvalid: string | null = null;
  const result = await verifyExportFile(path, (note) => {
    const anchors = checkpoint ? [anchor(checkpoint, from)] : [];
    // The note inside the file counts only when its signature verifies with the key we hold.
    if (note && key) {
      try {
        embedded = openCheckpoint(note, key);
        anchors.push(anchor(embedded, 'in the file'));
      } catch (err) {
        if (!(err instanceof CheckpointError)) throw err;
        embeddedInvalid = err.message;
      }
    }
    return anchors;
  });
  const { checkpointNote: _note, ...verified } = result;
  const shown = embeddedInvalid ? { ...verified, ok: false, problem: { kind: 'checkpoint_invalid', position: 0, message: `the checkpoint in the file: ${embeddedInvalid}` } } : verified;
  const used = checkpoint ?? embedded;
  ctx.print({ ...shown, mode: 'file', file: path, ...(used ? { checkpoint: { size: used.size, hash: used.hash, time: used.time } } : {}) });
  if (!shown.ok) process.exitCode = 1;
}
