import type { Logger } from '../logger';
import { REPEAT_WINDOW_MS, RepeatedLines } from './repeated-lines';

/**
 * The warning for a request with an unknown API key, aggregated (repeated-lines.ts): the first is logged on its
 * request's log, those in the next UNKNOWN_KEY_WARNING_MS are counted and logged as one line with their number as
 * that time ends, or as the server stops. A client guessing keys had a warn line per guess.
 */
export const UNKNOWN_KEY_WARNING_MS = REPEAT_WINDOW_MS;

export class UnknownKeyWarnings {
  private readonly lines: RepeatedLines;

  constructor(
    /** Where the count is logged (no request's: it is many requests'). */
    private readonly logger: Logger,
    readonly windowMs = UNKNOWN_KEY_WARNING_MS,
  ) {
    this.lines = new RepeatedLines(windowMs);
  }

  /** A request was rejected for its unknown key: warned on `requestLog`, or counted for the summary line. */
  rejected(requestLog: Logger): void {
    this.lines.seen(
      'unknown key',
      () => requestLog.warn(`rejected an unknown API key (any more in the next ${this.windowMs / 1000} s are logged as one line with their count)`),
      (count) => this.logger.warn({ rejected: count, seconds: this.windowMs / 1000 }, `rejected ${count} more requests with an unknown API key`),
    );
  }

  /** Logs the count not yet logged (the server stops). */
  close(): void {
    this.lines.flush();
  }
}
