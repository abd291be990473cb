import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { CheckpointError, openCheckpoint, signCheckpoint, type ChainCheckpoint } from '@cp/shared/event-store';

/** A checkpoint read back from the directory with its note text. */
export interface StoredCheckpoint extends ChainCheckpoint {
  note: string;
  file: string;
}

const NAME = /^checkpoint-(\d{15})\.note$/;

/**
 * Signed checkpoints as files, `checkpoint-<size, 15 digits>.note`, one per size: outside the
 * events table, so rewriting the store cannot rewrite them. Written to a temp file and renamed.
 */
export class CheckpointDirectory {
  constructor(
    readonly dir: string,
    private readonly keep: number,
  ) {}

  async write(c: ChainCheckpoint, key: KeyObject): Promise<StoredCheckpoint> {
    await mkdir(this.dir, { recursive: true });
    const note = signCheckpoint(c, key);
    const file = join(this.dir, `checkpoint-${String(c.size).padStart(15, '0')}.note`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, note, { mode: 0o644 });
    await rename(tmp, file);
    await this.prune();
    return { ...c, note, file };
  }

  /** Every checkpoint whose signature verifies with the key, oldest first; the others are reported. */
  async readAll(publicKey: KeyObject): Promise<{ valid: StoredCheckpoint[]; invalid: { file: string; reason: string }[] }> {
    const valid: StoredCheckpoint[] = [];
    const invalid: { file: string; reason: string }[] = [];
    for (const name of await this.names()) {
      const file = join(this.dir, name);
      const note = await readFile(file, 'utf8');
      try {
        const c = openCheckpoint(note, publicKey);
        if (c.size !== Number(NAME.exec(name)![1])) throw new CheckpointError(`its size ${c.size} is not the one in its file name`);
        valid.push({ ...c, note, file });
      } catch (err) {
        invalid.push({ file, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    return { valid, invalid };
  }

  /** File names sorted by size, oldest first. */
  private async names(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => NAME.test(n)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private async prune(): Promise<void> {
    const names = await this.names();
    for (const name of names.slice(0, Math.max(0, names.length - this.keep))) await rm(join(this.dir, name), { force: true });
  }
}
