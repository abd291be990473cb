import type { Logger } from '@cp/shared/telemetry';

/**
 * Keeps the KB's lexeme statistics (what keyword ranking weighs words by) current, in the
 * background and never on a request's path: a change schedules one refresh after `delayMs`, so a
 * burst of ingests costs one; a change during a refresh schedules the next. Refreshes are spaced
 * so that refreshing takes at most `1 / spacing` of the time (a refresh of 100,000 chunks takes
 * about a second and a half). Queries meanwhile read the previous snapshot.
 */
export class LexemeStatsRefresher {
  private timer?: ReturnType<typeof setTimeout>;
  private running?: Promise<void>;
  private dirty = false;
  private stopped = false;
  private lastTookMs = 0;
  private lastEndedAt = 0;
  refreshes = 0;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly now: () => number = Date.now,
    private readonly delayMs = 1_000,
    private readonly spacing = 10,
  ) {}

  /** The KB changed: its statistics are refreshed soon. */
  changed(): void {
    this.dirty = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Resolves when no refresh is pending or running (for tests and benches). */
  async idle(): Promise<void> {
    while (this.timer || this.running) await (this.running ?? new Promise((r) => setTimeout(r, 5)));
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.running) return;
    const wait = Math.max(this.delayMs, this.lastEndedAt + (this.spacing - 1) * this.lastTookMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
    this.timer.unref?.();
  }

  private run(): void {
    this.dirty = false;
    const started = this.now();
    this.running = this.refresh()
      .then(() => void this.refreshes++)
      .catch((err: unknown) => this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'lexeme statistics refresh failed; keyword ranking uses the previous ones'))
      .finally(() => {
        this.lastTookMs = this.now() - started;
        this.lastEndedAt = this.now();
        this.running = undefined;
        if (this.dirty) this.schedule();
      });
  }
}
