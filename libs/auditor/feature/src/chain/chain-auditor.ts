import { createPublicKey, type KeyObject } from 'node:crypto';
import type { VerifyReply } from '@cp/shared/contracts';
import { ChainWalker, GENESIS_HASH, parseSigningKey, type ChainAnchor, type ChainHead, type ChainProblem, type EventStore } from '@cp/shared/event-store';
import type { Logger } from '@cp/shared/telemetry';
import type { AuditConfig } from '../audit-config';
import { CheckpointDirectory, type StoredCheckpoint } from './checkpoint-directory';

/** What one verification was asked to do: the whole chain, and a checkpoint the caller trusts. */
export interface VerifyRequest {
  full?: boolean;
  checkpoint?: { size: number; hash: string };
}

/** The outcome of the last verification, for health and the dashboard. */
export interface LastVerification {
  at: string;
  mode: 'incremental' | 'full';
  ok: boolean;
  count: number;
  problem?: ChainProblem;
}

/**
 * Verifies the hash chain incrementally and signs checkpoints of it. The auditor remembers the last
 * verified position and head hash (at start, the newest signed checkpoint): an ordinary
 * verification checks that the store still has that hash there, then re-hashes only what came
 * after, so its cost follows the new events, not the chain's length. A full verification re-hashes
 * everything from genesis against every checkpoint; it is rate-limited. Verifications run one at a
 * time. Every interval, new events are verified and, when the chain grew, a checkpoint of the
 * verified head is signed and written to the checkpoint directory.
 */
export class ChainAuditor {
  private verified: ChainHead | null = null;
  private checkpoints: StoredCheckpoint[] = [];
  private readonly key?: KeyObject;
  private readonly publicKey?: KeyObject;
  private readonly directory: CheckpointDirectory;
  private lastFullAt = -Infinity;
  private queue: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  last: LastVerification | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly config: AuditConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.directory = new CheckpointDirectory(config.CP_AUDIT_CHECKPOINT_DIR, config.CP_AUDIT_CHECKPOINT_KEEP);
    if (config.CP_AUDIT_SIGNING_KEY) {
      this.key = parseSigningKey(config.CP_AUDIT_SIGNING_KEY);
      this.publicKey = createPublicKey(this.key);
    }
  }

  /** The newest signed checkpoint, when checkpoints are on and one was written. */
  get newestCheckpoint(): StoredCheckpoint | null {
    return this.checkpoints.at(-1) ?? null;
  }

  /** Loads the signed checkpoints (the newest is the verified head to start from) and starts signing. */
  async start(): Promise<void> {
    if (!this.key || !this.publicKey) {
      this.logger.warn('audit checkpoints are off: CP_AUDIT_SIGNING_KEY is not set');
      return;
    }
    const { valid, invalid } = await this.directory.readAll(this.publicKey);
    for (const bad of invalid) this.logger.error({ file: bad.file, reason: bad.reason }, 'audit checkpoint does not verify; ignored');
    this.checkpoints = valid.filter((c) => c.origin === this.config.CP_AUDIT_ORIGIN);
    const newest = this.newestCheckpoint;
    if (newest) this.verified = { position: newest.size, hash: newest.hash };
    this.logger.info({ dir: this.directory.dir, checkpoints: this.checkpoints.length, newest: newest?.size ?? null }, 'audit checkpoints loaded');
    this.timer = setInterval(() => void this.checkpoint().catch((err: Error) => this.logger.error({ err: err.message }, 'audit checkpoint failed')), this.config.CP_AUDIT_CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  verify(req: VerifyRequest = {}): Promise<VerifyReply> {
    if (req.full) {
      const wait = this.lastFullAt + this.config.CP_AUDIT_FULL_VERIFY_INTERVAL_MS - this.now();
      if (wait > 0) return Promise.resolve({ ok: false, count: this.verified?.position ?? 0, headHash: this.verified?.hash ?? null, firstBrokenPosition: null, mode: 'full', checked: 0, rateLimited: { retryAfterMs: Math.ceil(wait) } });
      this.lastFullAt = this.now();
    }
    return this.serialised(() => (req.full ? this.full(req.checkpoint) : this.incremental(req.checkpoint)));
  }

  /** Verifies what is new and, when the chain grew past the newest checkpoint, signs one of the verified head. */
  async checkpoint(): Promise<StoredCheckpoint | null> {
    if (!this.key) return null;
    const reply = await this.verify();
    if (!reply.ok || reply.headHash === null || reply.count <= (this.newestCheckpoint?.size ?? 0)) return null;
    const written = await this.directory.write({ origin: this.config.CP_AUDIT_ORIGIN, size: reply.count, hash: reply.headHash, time: new Date(this.now()).toISOString() }, this.key);
    this.checkpoints = [...this.checkpoints, written].slice(-this.config.CP_AUDIT_CHECKPOINT_KEEP);
    this.logger.info({ size: written.size, file: written.file }, 'audit checkpoint signed');
    return written;
  }

  private serialised<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async incremental(trusted?: VerifyRequest['checkpoint']): Promise<VerifyReply> {
    const start = this.verified ?? { position: 0, hash: GENESIS_HASH };
    const known = this.anchors(trusted, this.newestCheckpoint ? [this.newestCheckpoint] : []);
    if (this.verified) known.push({ size: this.verified.position, hash: this.verified.hash, label: 'the last verification' });
    // What the verified head already covers is checked by its stored hash (one lookup each); the rest by the walk.
    const problem = await this.storedHashesAgree(known.filter((a) => a.size <= start.position));
    const walker = new ChainWalker(start, known.filter((a) => a.size > start.position));
    if (!problem) await this.store.walk(walker);
    return this.conclude('incremental', walker, problem ?? walker.finish());
  }

  private async full(trusted?: VerifyRequest['checkpoint']): Promise<VerifyReply> {
    const known = this.anchors(trusted, this.checkpoints);
    if (this.verified) known.push({ size: this.verified.position, hash: this.verified.hash, label: 'the last verification' });
    const walker = await this.store.walk(new ChainWalker(undefined, known));
    return this.conclude('full', walker, walker.finish());
  }

  private anchors(trusted: VerifyRequest['checkpoint'], checkpoints: StoredCheckpoint[]): ChainAnchor[] {
    const out = checkpoints.map((c) => ({ size: c.size, hash: c.hash, label: `the checkpoint signed at ${c.time} (size ${c.size})` }));
    if (trusted) out.push({ ...trusted, label: `the caller's checkpoint (size ${trusted.size})` });
    return out;
  }

  private async storedHashesAgree(anchors: ChainAnchor[]): Promise<ChainProblem | null> {
    const hashes = await this.store.hashesAt(anchors.map((a) => a.size));
    for (const a of [...anchors].sort((x, y) => x.size - y.size)) {
      const stored = hashes.get(a.size);
      if (stored === undefined) {
        const head = await this.store.headLink();
        return { kind: 'tail_deleted', position: head.position + 1, message: `the chain ends at position ${head.position}, but ${a.label} recorded ${a.size} events: events ${head.position + 1}..${a.size} (at least) were deleted` };
      }
      if (stored !== a.hash) return { kind: 'chain_rewritten', position: a.size, message: `the stored hash at position ${a.size} differs from ${a.label}: the chain was rewritten at or before position ${a.size}` };
    }
    return null;
  }

  private conclude(mode: 'incremental' | 'full', walker: ChainWalker, problem: ChainProblem | null): VerifyReply {
    if (!problem) this.verified = { position: walker.position, hash: walker.headHash };
    const count = walker.position;
    this.last = { at: new Date(this.now()).toISOString(), mode, ok: problem === null, count, ...(problem ? { problem } : {}) };
    if (problem) this.logger.error({ mode, kind: problem.kind, position: problem.position }, `audit chain broken: ${problem.message}`);
    const newest = this.newestCheckpoint;
    const disagrees = problem !== null && (problem.kind === 'chain_rewritten' || problem.kind === 'tail_deleted');
    return {
      ok: problem === null,
      count,
      headHash: count === 0 ? null : walker.headHash,
      firstBrokenPosition: problem?.position ?? null,
      mode,
      checked: walker.checked,
      ...(problem ? { problem } : {}),
      ...(newest ? { checkpoint: { size: newest.size, hash: newest.hash, time: newest.time, matches: !disagrees } } : {}),
    };
  }
}
