import { HeaderMap } from '@apollo/server';
import { ErrorCode, StediError } from '../errors';

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

  constructor(
    /** Rows of all requests at once; 0: no bound. */
    readonly bound: number,
    private readonly onRefused: () => void = () => undefined,
  ) {}

  /** Rows being answered now (for tests and diagnostics). */
  get inFlight(): number {
    return this.held;
  }

  /** Holds `rows` until `release` is called; throws ENGINE_BUSY (503, Retry-After) when they do not fit. */
  take(rows: number): () => void {
    if (this.bound === 0 || rows === 0) return () => undefined;
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
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= rows;
    };
  }
}

const RETRY_AFTER_SECONDS = 1;
