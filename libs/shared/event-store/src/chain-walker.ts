import { chainHash, GENESIS_HASH, type StoredLink } from './hash-chain';

/**
 * What is wrong with a chain, named:
 * - `event_edited`: an event's content no longer matches its stored hash;
 * - `link_broken`: an event's `prev_hash` is not the hash of the event before it (that hash was
 *   replaced, or an event was removed or inserted);
 * - `events_missing`: positions are skipped (events deleted from the middle);
 * - `tail_deleted`: the chain ends before a position it is known to have reached;
 * - `chain_rewritten`: every link is consistent, but the hash at a known position differs from the
 *   one a signed checkpoint (or the last verification) recorded: the chain was recomputed from some
 *   point on;
 * - `checkpoint_invalid`: a checkpoint's signature or format does not verify.
 */
export type ChainProblemKind = 'event_edited' | 'link_broken' | 'events_missing' | 'tail_deleted' | 'chain_rewritten' | 'checkpoint_invalid';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The first position the problem concerns. */
  position: number;
  message: string;
}

/** A position whose head hash is known from elsewhere: a signed checkpoint, or the last verification. */
export interface ChainAnchor {
  size: number;
  hash: string;
  /** Where the anchor comes from, for messages ("checkpoint 1200", "the last verification"). */
  label: string;
}

export interface ChainHead {
  position: number;
  hash: string;
}

/**
 * Verifies a chain page after page in position order, from a head already trusted (genesis for a
 * full verification), and compares it with anchors on the way. The first problem stops the walk.
 */
export class ChainWalker {
  private head: ChainHead;
  private readonly anchors: ChainAnchor[];
  private lastAgreeing: ChainAnchor | null = null;
  problem: ChainProblem | null = null;
  /** Links re-hashed so far. */
  checked = 0;

  constructor(start: ChainHead = { position: 0, hash: GENESIS_HASH }, anchors: ChainAnchor[] = []) {
    this.head = { ...start };
    this.anchors = anchors.filter((a) => a.size > start.position).sort((a, b) => a.size - b.size);
  }

  get position(): number {
    return this.head.position;
  }

  get headHash(): string {
    return this.head.hash;
  }

  /** Checks the next page; false once a problem is found (see `problem`). */
  push(links: readonly StoredLink[]): boolean {
    for (const link of links) {
      if (this.problem) return false;
      const problem = this.check(link);
      if (problem) {
        this.problem = problem;
        return false;
      }
      this.head = { position: link.position, hash: link.hash };
      this.checked++;
      this.compareAnchors();
    }
    return this.problem === null;
  }

  /** The chain ended here: an anchor beyond the end means its tail was deleted. */
  finish(): ChainProblem | null {
    if (this.problem) return this.problem;
    const beyond = this.anchors.find((a) => a.size > this.head.position);
    if (beyond) {
      this.problem = {
        kind: 'tail_deleted',
        position: this.head.position + 1,
        message: `the chain ends at position ${this.head.position}, but ${beyond.label} recorded ${beyond.size} events: events ${this.head.position + 1}..${beyond.size} (at least) were deleted`,
      };
    }
    return this.problem;
  }

  private check(link: StoredLink): ChainProblem | null {
    const expected = this.head.position + 1;
    if (link.position > expected) return { kind: 'events_missing', position: expected, message: `positions ${expected}..${link.position - 1} are missing: events were deleted from the chain` };
    if (link.position !== expected) return { kind: 'link_broken', position: link.position, message: `position ${link.position} appears where ${expected} was expected` };
    if (link.prevHash !== this.head.hash) {
      return { kind: 'link_broken', position: link.position, message: `event ${link.position} does not link to event ${link.position - 1}: the hash of event ${link.position - 1} was replaced, or an event was removed or inserted` };
    }
    if (chainHash(this.head.hash, link) !== link.hash) {
      return { kind: 'event_edited', position: link.position, message: `event ${link.position} (${link.type} ${link.id}) does not match its hash: its content was changed` };
    }
    return null;
  }

  private compareAnchors(): void {
    while (this.anchors.length > 0 && this.anchors[0].size <= this.head.position) {
      const anchor = this.anchors.shift()!;
      if (anchor.size !== this.head.position) continue;
      if (anchor.hash !== this.head.hash) {
        const after = this.lastAgreeing ? `after position ${this.lastAgreeing.size} (${this.lastAgreeing.label} still agrees) and ` : '';
        this.problem = {
          kind: 'chain_rewritten',
          position: (this.lastAgreeing?.size ?? 0) + 1,
          message: `the chain is consistent but its hash at position ${anchor.size} differs from ${anchor.label}: it was rewritten ${after}at or before position ${anchor.size}`,
        };
        return;
      }
      this.lastAgreeing = anchor;
    }
  }
}
