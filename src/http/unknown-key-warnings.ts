import type { Logger } from '../logger';

/**
 * The warning for a request with an unknown API key, aggregated: the first is logged on its request's log, those in
 * the next UNKNOWN_KEY_WARNING_MS are counted and logged as one line with their number as that time ends. A client
 * guessing keys had a warn line per guess (each request has its access line at info besides).
 */
export const UNKNOWN_KEY_WARNING_MS = 10_000;

export class UnknownKeyWarnings {
  private quietUntil = -Infinity;
  private counted = 0;
  private summary: NodeJS.Timeout | undefined;

  constructor(
    /** Where the count is logged (no request's: it is many requests'). */
    private readonly logger: Logger,
    readonly windowMs = UNKNOWN_KEY_WARNING_MS,
  ) {}

  /** A request was rejected for its unknown key: warned on `requestLog`, or counted for the summary line. */
  rejected(requestLog: Logger): void {
    const now = performance.now();
    if (now >= this.quietUntil) {
      this.quietUntil = now + this.windowMs;
      requestLog.warn(`rejected an unknown API key (any more in the next ${this.windowMs / 1000} s are logged as one line with their count)`);
      return;
    }
    this.counted += 1;
    this.summary ??= setTimeout(() => this.summarise(), this.quietUntil - now).unref();
  }

  private summarise(): void {
    this.logger.warn({ rejected: this.counted, seconds: this.windowMs / 1000 }, `rejected ${this.counted} more requests with an unknown API key`);
    this.counted = 0;
    this.summary = undefined;
  }
}
