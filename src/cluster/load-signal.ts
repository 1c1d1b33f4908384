import { type EventLoopUtilization, performance } from 'node:perf_hooks';

/**
 * When a cluster worker serving alone is under load, so the primary starts the
 * spare workers (spare-workers.ts) even for requests that ask for no data
 * (data-requests.ts: introspections, pages; any request for data starts them
 * anyway): two requests under way at once, or requests on two connections or
 * more in a span of at least WINDOW_MS in which its event loop was busy at
 * least BUSY_SHARE of the time (a client pool: quick answers end before the
 * next connection's request is even read, so they are never under way at
 * once). A client's occasional request (an IDE's introspection) is not.
 * A span without requests on two connections (start-up, staging) never counts.
 */

/** Event-loop utilisation of a span above which a worker serving several connections counts as loaded. */
export const BUSY_SHARE = 0.5;
/** The shortest span measured: a single request is never a span of its own. */
export const WINDOW_MS = 1_000;

export class LoadSignal {
  private underWay = 0;
  /** Start of the span being measured, the event loop's use then, and the connections its requests came on. */
  private spanStart: number;
  private spanUse: EventLoopUtilization;
  private connections = new Set<object>();

  constructor(
    /** Called when load is seen (at most once a request). */
    private readonly onLoad: () => void,
    private readonly now: () => number = () => performance.now(),
    /** The event loop's utilisation since `since` (perf_hooks). */
    private readonly utilization: (since?: EventLoopUtilization) => EventLoopUtilization = (since) => performance.eventLoopUtilization(since),
  ) {
    this.spanStart = now();
    this.spanUse = this.utilization();
  }

  /** A request to serve begins, on `connection` (its socket). */
  begin(connection: object): void {
    const now = this.now();
    this.underWay += 1;
    const loaded = this.underWay >= 2 || this.busySpan(now);
    this.connections.add(connection);
    if (loaded) this.onLoad();
  }

  /** That request ended (its answer was sent or its connection closed). */
  end(): void {
    this.underWay = Math.max(0, this.underWay - 1);
  }

  /** True when the span now ending (at least WINDOW_MS long) served several connections with the event loop busy at least BUSY_SHARE of it; a new span starts. */
  private busySpan(now: number): boolean {
    const length = now - this.spanStart;
    if (length < WINDOW_MS) return false;
    const busy = this.connections.size >= 2 && this.utilization(this.spanUse).utilization >= BUSY_SHARE;
    this.spanStart = now;
    this.spanUse = this.utilization();
    this.connections = new Set();
    return busy;
  }
}
