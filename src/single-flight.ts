/**
 * One run of `work` at a time: a caller while it runs shares its promise, one after it starts another.
 * Remembers when the run under way started and why the last one failed (until one succeeds).
 */
export class SingleFlight<T> {
  private inflight?: Promise<T>;
  /** When the run under way (or the last one) started, on the monotonic clock. */
  since = 0;
  /** Why the last run failed; undefined once one succeeds. */
  lastFailure?: Error;

  constructor(private readonly work: () => Promise<T>) {}

  run(): Promise<T> {
    if (!this.inflight) {
      this.since = performance.now();
      this.inflight = this.work()
        .then(
          (value) => {
            this.lastFailure = undefined;
            return value;
          },
          (error: unknown) => {
            this.lastFailure = error instanceof Error ? error : new Error(String(error));
            throw error;
          },
        )
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return this.inflight;
  }

  /** Resolves once the run under way (if any) has ended, however it ended. */
  async settled(): Promise<void> {
    await this.inflight?.catch(() => undefined);
  }
}
