/**
 * Runs a build's statements side by side, and a statement that ran out of
 * DuckDB's memory limit once more, alone. Side by side (a zone's sort and the
 * checks beside it at 100x) their buffers together can pass the limit where
 * each alone spills to disk: seen as "Out of Memory Error: could not allocate
 * block" or "failed to pin block" on a build that passes when run again.
 */

const OUT_OF_MEMORY = /Out of Memory Error|failed to pin block/i;

/** Whether `error` is DuckDB's refusal to go past its memory limit. */
export function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && OUT_OF_MEMORY.test(error.message);
}

export class StatementGate {
  // Private: statements under way (a statement run alone counts too).
  private running = 0;
  // Private: settled when a statement run alone is done; new statements wait for it.
  private solo?: Promise<void>;
  // Private: called when no statement is under way.
  private idle: Array<() => void> = [];

  /**
   * Runs `work`; if it fails out of memory and `retryable` (running it twice
   * must give the same result as once), runs it again once the statements
   * beside it are done, with no other starting meanwhile. A second failure is
   * thrown as it is.
   */
  async run<T>(work: () => Promise<T>, retryable: boolean): Promise<T> {
    while (this.solo) await this.solo;
    try {
      return await this.counted(work);
    } catch (error) {
      if (!retryable || !isOutOfMemory(error)) throw error;
    }
    return this.runAlone(work);
  }

  private async runAlone<T>(work: () => Promise<T>): Promise<T> {
    while (this.solo) await this.solo;
    let release!: () => void;
    this.solo = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      return await this.counted(work);
    } finally {
      this.solo = undefined;
      release();
    }
  }

  private async counted<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }
}
