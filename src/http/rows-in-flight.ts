import { HeaderMap } from '@apollo/server';
import { ErrorCode, StediError } from '../errors';
import type { SentAnswer } from '../graphql/context';
import { whenClosed } from './response-closed';

/**
 * Rows asked by the GraphQL requests a server process is answering, all keys together, bounded (STEDI_ROWS_IN_FLIGHT):
 * an answer's rows are built, written and sent from this process's heap, and the key limit bounds each key alone. 20
 * keys each sending six of the widest requests allowed (five 10,000-row pages with every field: a 13 MB answer) grew
 * one worker to 3.5 GB, every answer late past five minutes. A request is counted from when it may run (after its
 * key's turn and place) until its answer is sent or its client gone, by the rows its cost estimate found; one that
 * does not fit is refused at once with 503 ENGINE_BUSY and Retry-After (nothing ran). A request alone always runs.
 */
export class RowsInFlight {
  private held = 0;
  /** The rows each answer holds; its one close listener gives them all back. */
  private readonly holding = new WeakMap<SentAnswer, number>();

  constructor(
    /** Rows of all requests at once; 0: no bound. */
    readonly bound: number,
    private readonly onRefused: () => void = () => undefined,
  ) {}

  /** Rows being answered now (the stedi_rows_in_flight gauge, tests). */
  get inFlight(): number {
    return this.held;
  }

  /**
   * Holds `rows` until `answer` closes, the one place they are given back: a give-back left to each way a request
   * ends (an error, a client gone, an answer kept, another request's async context) leaked, and after ~1,300 small
   * requests every request was refused "answering 199,870 rows". Throws ENGINE_BUSY (503, Retry-After) when they do not fit.
   */
  take(rows: number, answer: SentAnswer): void {
    // An answer already closed would never give them back: its client is gone, and its work stops (client-gone.ts).
    if (this.bound === 0 || rows === 0 || answer.destroyed) return;
    if (this.held > 0 && this.held + rows > this.bound) {
      this.onRefused();
      const error = new StediError(
        ErrorCode.ENGINE_BUSY,
        `this server process is answering ${this.held.toLocaleString('en-US')} rows for all clients together, and this request asks for up to ${rows.toLocaleString('en-US')} more, above its bound of ${this.bound.toLocaleString('en-US')} (STEDI_ROWS_IN_FLIGHT): retry after ${RETRY_AFTER_SECONDS} s, or ask for fewer rows per request (first)`,
      );
      (error.extensions as Record<string, unknown>).http = { status: 503, headers: new HeaderMap([['retry-after', String(RETRY_AFTER_SECONDS)]]) };
      throw error;
    }
    this.held += rows;
    const before = this.holding.get(answer);
    this.holding.set(answer, (before ?? 0) + rows);
    if (before !== undefined) return;
    whenClosed(answer, () => {
      this.held -= this.holding.get(answer) ?? 0;
      this.holding.delete(answer);
    });
  }
}

const RETRY_AFTER_SECONDS = 1;
