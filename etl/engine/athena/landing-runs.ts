/**
 * The landing sources of one build: loaded side by side (one after another
 * for a dry run, so it prints each source's statements together). The first
 * source to fail stops the others at once (queries are paid for), and every
 * source reports that first failure.
 */
export class LandingRuns {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly running = new Set<Promise<unknown>>();
  private failure?: { error: unknown };

  constructor(
    private readonly serial: boolean,
    /** Stops the build's work; called once, by the first failure. */
    private readonly stopAll: () => Promise<void>,
  ) {}

  run<T>(load: () => Promise<T>): Promise<T> {
    const next = this.serial ? this.queue.then(load) : load();
    if (this.serial) this.queue = next.catch(() => undefined);
    this.running.add(next);
    const forget = (): void => void this.running.delete(next);
    next.then(forget, forget);
    return next.catch(async (error: unknown) => {
      this.failure ??= { error };
      if (this.failure.error === error) await this.stopAll();
      throw this.failure.error;
    });
  }

  /** Resolves once every load started has ended, however it ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
