import { settleWithin } from '../settle-within';

/**
 * The exports a server is running, for its shutdown: once the grace is over the server cuts them, and each logs
 * that it was cut by the shutdown (not that its client went away), before the shutdown ends; a cluster worker exits
 * as soon as it has, which lost the line of an export cut then.
 */

/** How long a shutdown waits for the exports it cut to say so: each ends as its connection closes. */
const SETTLE_MS = 2_000;

export class ExportsInFlight {
  private cutting = false;
  private readonly running = new Set<Promise<unknown>>();

  /** The shutdown grace is over: the answers still going out are the server's to cut. */
  graceOver(): void {
    this.cutting = true;
  }

  isGraceOver(): boolean {
    return this.cutting;
  }

  /** Runs one export's handling, counted until it has ended (and logged how). */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = (): void => void this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Resolves once every export running now has ended, or after SETTLE_MS. */
  async settled(): Promise<void> {
    await settleWithin(Promise.allSettled([...this.running]), SETTLE_MS);
  }
}
