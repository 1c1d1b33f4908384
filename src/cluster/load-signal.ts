/**
 * When a cluster worker serving alone is under load, so the primary starts the
 * spare workers (spare-workers.ts): two requests under way at once (a client
 * pool, a second client). One client's requests in turn are not, however busy
 * they keep the worker (a training-set pull: DuckDB reads the next page on its
 * own threads meanwhile), nor a client's occasional request (an IDE's
 * introspection, a notebook's next cell): one worker serves those with no more
 * CPU per row than two (README → Performance, session 9).
 */
export class LoadSignal {
  private underWay = 0;

  constructor(
    /** Called when load is seen (at most once a request). */
    private readonly onLoad: () => void,
  ) {}

  /** A request to serve begins. */
  begin(): void {
    this.underWay += 1;
    if (this.underWay >= 2) this.onLoad();
  }

  /** That request ended (its answer was sent or its connection closed). */
  end(): void {
    this.underWay = Math.max(0, this.underWay - 1);
  }
}
