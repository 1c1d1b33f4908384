/**
 * When a cluster worker serving alone is under load, so the primary starts the
 * spare workers (spare-workers.ts): two requests under way at once (a client
 * pool, a second client), or requests under way at least BUSY_SHARE of a span
 * of at least WINDOW_MS (one client keeping it busy: a training-set pull). A
 * client's occasional request (an IDE's introspection, a notebook's next cell)
 * is neither, and one worker answers it as fast as two. Time with no request
 * under way (start-up, staging a version, a collection) never counts.
 */

/** Share of a span with a request under way above which the worker counts as loaded. */
export const BUSY_SHARE = 0.5;
/** The shortest span measured: a single request is never a span of its own. */
export const WINDOW_MS = 1_000;

export class LoadSignal {
  private underWay = 0;
  /** Start of the span being measured, and ms of it with a request under way (up to `busySince`). */
  private spanStart: number;
  private busyMs = 0;
  /** When the requests under way now began to be (while underWay > 0). */
  private busySince = 0;

  constructor(
    /** Called when load is seen (at most once a request). */
    private readonly onLoad: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.spanStart = now();
  }

  /** A request to serve begins. */
  begin(): void {
    const now = this.now();
    if (this.underWay === 0) this.busySince = now;
    this.underWay += 1;
    if (this.underWay >= 2 || this.busySpan(now)) this.onLoad();
  }

  /** That request ended (its answer was sent or its connection closed). */
  end(): void {
    if (this.underWay === 0) return;
    this.underWay -= 1;
    if (this.underWay === 0) this.busyMs += this.now() - this.busySince;
  }

  /** True when the span now ending (at least WINDOW_MS long) had requests under way at least BUSY_SHARE of it; a new span starts. */
  private busySpan(now: number): boolean {
    const length = now - this.spanStart;
    if (length < WINDOW_MS) return false;
    const busy = this.busyMs >= BUSY_SHARE * length;
    this.spanStart = now;
    this.busyMs = 0;
    return busy;
  }
}
