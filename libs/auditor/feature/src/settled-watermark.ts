/**
 * The highest stream sequence up to which every message is settled (stored or parked). Messages may
 * settle out of order (a redelivery, a parked one); the watermark only moves over a contiguous run.
 */
export class SettledWatermark {
  private readonly ahead = new Set<number>();

  constructor(private seq: number) {}

  get through(): number {
    return this.seq;
  }

  isSettled(seq: number): boolean {
    return seq <= this.seq || this.ahead.has(seq);
  }

  /** Marks sequences settled; returns the watermark after them. */
  settle(seqs: Iterable<number>): number {
    for (const s of seqs) if (s > this.seq) this.ahead.add(s);
    while (this.ahead.delete(this.seq + 1)) this.seq++;
    return this.seq;
  }

  /** What the watermark would be after these settled too, without settling them (for a checkpoint written with them). */
  peek(seqs: Iterable<number>): number {
    let seq = this.seq;
    const all = new Set(this.ahead);
    for (const s of seqs) all.add(s);
    while (all.has(seq + 1)) seq++;
    return seq;
  }

  /** Jumps over sequences that can never arrive (trimmed from the stream, or found missing by the completeness check). */
  skipTo(seq: number): void {
    if (seq > this.seq) {
      this.seq = seq;
      for (const s of this.ahead) if (s <= seq) this.ahead.delete(s);
      this.settle([]);
    }
  }
}
